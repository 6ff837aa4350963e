"""Read-only: products change through catalogue/services.py and catalogue/stock.py (audited)."""

from django.contrib import admin

from katalog.core.admin import ReadOnlyAdminMixin

from .models import Category, Product, ProductVersion


@admin.register(Category)
class CategoryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "level", "katalog"]
    list_filter = ["katalog", "level"]
    search_fields = ["code", "name"]


class VersionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ProductVersion
    extra = 0
    fields = ["number", "name", "price", "unit", "created_at", "approved_at"]
    readonly_fields = fields


@admin.register(Product)
class ProductAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "vendor", "status", "stock", "katalog"]
    list_filter = ["katalog", "status"]
    search_fields = ["name", "vendor__name"]
    raw_id_fields = ["vendor", "listed_version", "latest_version", "curated_by"]
    inlines = [VersionInline]

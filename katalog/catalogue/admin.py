from django.contrib import admin

from .models import Category, Product, ProductVersion


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "katalog"]
    list_filter = ["katalog", "level"]
    search_fields = ["code", "name"]


class VersionInline(admin.TabularInline):
    model = ProductVersion
    extra = 0
    can_delete = False
    fields = ["number", "name", "price", "unit", "created_at", "approved_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "vendor", "status", "stock", "katalog"]
    list_filter = ["katalog", "status"]
    search_fields = ["name", "vendor__name"]
    raw_id_fields = ["vendor", "listed_version", "latest_version", "curated_by"]
    inlines = [VersionInline]

"""Read-only: vendors change (and are verified) through vendors/services.py (audited)."""

from django.contrib import admin

from katalog.core.admin import ReadOnlyAdminMixin

from .models import SizeClassChange, Vendor


class SizeClassChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SizeClassChange
    extra = 0
    readonly_fields = ["changed_on", "old_class", "new_class", "capital", "annual_sales", "reason", "evidence"]


@admin.register(Vendor)
class VendorAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "nib", "katalog", "size_class", "status", "source"]
    list_filter = ["katalog", "status", "size_class", "source"]
    search_fields = ["name", "nib"]
    raw_id_fields = ["region", "district", "users", "verified_by"]
    inlines = [SizeClassChangeInline]

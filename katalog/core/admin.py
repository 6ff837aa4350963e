"""Django's admin is for platform administrators (superusers) only: it sees every tenant.
Tenant administrators work through the product's own pages and the API."""

from django.contrib import admin

from .models import AuditLog, Katalog


@admin.register(Katalog)
class KatalogAdmin(admin.ModelAdmin):
    list_display = ["region", "name", "government_name", "domain", "is_active", "is_demo"]
    search_fields = ["name", "region__name"]
    raw_id_fields = ["region"]


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ["at", "katalog", "actor", "action", "object_type", "object_id"]
    list_filter = ["action", "katalog"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

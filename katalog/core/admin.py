"""Django's admin is for platform administrators (superusers) only: it sees every tenant.
Tenant administrators work through the product's own pages and the API.

The admin shows the domain models read-only: every change goes through the services, which write
their audit entry (a change made here would have none, and could leave a product with no listed
version). What the platform administrator truly needs here is kept, and audited: creating a tenant,
its offices and memberships, and deactivating or reactivating a user account (accounts/admin.py)."""

from django.contrib import admin
from django.db import transaction

from . import audit
from .models import AuditLog, Katalog


class ReadOnlyAdminMixin:
    """A ModelAdmin or inline that shows its model and changes nothing."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedAddAdminMixin(ReadOnlyAdminMixin):
    """Read-only, except that a superuser may add one (tenant set-up); each addition is audited."""

    def has_add_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            obj.save()
            katalog = obj if isinstance(obj, Katalog) else getattr(obj, "katalog", None)
            audit.record(
                actor=request.user,
                action=f"{obj._meta.model_name}.create",
                obj=obj,
                katalog=katalog,
                via="django-admin",
                fields={name: str(form.cleaned_data[name]) for name in form.changed_data},
            )


@admin.register(Katalog)
class KatalogAdmin(AuditedAddAdminMixin, admin.ModelAdmin):
    list_display = ["region", "name", "government_name", "domain", "is_active", "is_demo"]
    search_fields = ["name", "region__name"]
    raw_id_fields = ["region"]


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "katalog", "actor_name", "actor_address", "action", "object_type", "object_id"]
    list_filter = ["action", "katalog"]

"""Offices and memberships: shown read-only, added (tenant set-up) with an audit entry.

User accounts: the platform administrator may deactivate or reactivate one, nothing else here.
A user is never deleted (an audit entry may name them; AuditLog.actor refuses it too): a person who
leaves is deactivated, can no longer sign in or use a token, and stays in the log by name."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from katalog.core import audit
from katalog.core.admin import AuditedAddAdminMixin

from .models import Membership, Office

User = get_user_model()


@admin.register(Office)
class OfficeAdmin(AuditedAddAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "katalog", "is_active"]
    list_filter = ["katalog"]
    search_fields = ["code", "name"]


@admin.register(Membership)
class MembershipAdmin(AuditedAddAdminMixin, admin.ModelAdmin):
    list_display = ["user", "role", "katalog", "office"]
    list_filter = ["role", "katalog"]
    search_fields = ["user__username"]
    raw_id_fields = ["user", "office"]


def set_user_active(*, by, user, active: bool) -> bool:
    """Deactivate or reactivate an account, with an audit entry in each tenant the user belongs to
    (or one of no tenant). Returns whether anything changed."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_active == active:
            return False
        locked.is_active = active
        locked.save(update_fields=["is_active"])
        katalog_ids = set(Membership.objects.filter(user=locked).values_list("katalog_id", flat=True))
        from katalog.core.models import Katalog

        tenants = list(Katalog.objects.filter(pk__in=katalog_ids)) or [None]
        for katalog in tenants:
            audit.record(
                actor=by,
                action="user.activate" if active else "user.deactivate",
                obj=locked,
                katalog=katalog,
                username=locked.get_username(),
            )
    user.is_active = active
    return True


if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class UserAccountAdmin(admin.ModelAdmin):
    """Accounts: read-only but for the active flag, which the actions and the form change (audited)."""

    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_superuser", "last_login"]
    list_filter = ["is_active", "is_superuser"]
    search_fields = ["username", "first_name", "last_name", "email"]
    fields = ["username", "first_name", "last_name", "email", "is_active", "is_staff", "is_superuser"]
    fields += ["last_login", "date_joined"]
    readonly_fields = [f for f in fields if f != "is_active"]
    actions = ["deactivate", "activate"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if "is_active" in form.changed_data:
            set_user_active(by=request.user, user=obj, active=obj.is_active)

    def save_related(self, request, form, formsets, change):
        pass  # nothing but the active flag is edited here

    @admin.action(description=_("Deactivate the selected accounts"))
    def deactivate(self, request, queryset):
        self._set_active(request, queryset, active=False)

    @admin.action(description=_("Reactivate the selected accounts"))
    def activate(self, request, queryset):
        self._set_active(request, queryset, active=True)

    def _set_active(self, request, queryset, *, active: bool) -> None:
        changed = sum(set_user_active(by=request.user, user=user, active=active) for user in queryset)
        if active:
            text = ngettext("%(n)d account reactivated.", "%(n)d accounts reactivated.", changed)
        else:
            text = ngettext("%(n)d account deactivated.", "%(n)d accounts deactivated.", changed)
        self.message_user(request, text % {"n": changed}, messages.SUCCESS)

"""The permission catalogue: every role, every right, in one place.

A right is `<resource>:<action>`. Each role lists the rights it holds; `docs/permissions.md`
is generated from this table (`katalog permissions_doc`) so the two never disagree.
Views and API handlers declare the right they need at the top (`@require(Permission.X)`)."""

import enum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The roles of PRODUCT.md. A user may hold several, each within one tenant."""

    VENDOR = "penyedia", _("Vendor (Penyedia)")  # a UMKM owner or its staff
    CATALOGUE_MANAGER = "catalogue_manager", _("Catalogue manager (Pengelola Katalog)")  # Dinas/UKPBJ staff
    PP = "pp", _("Procurement officer (PP)")  # buys up to the PP threshold
    PPK = "ppk", _("Commitment officer (PPK)")  # approves and signs orders of any value
    BUDGET_OWNER = "budget_owner", _("Budget owner (PA/KPA)")  # head of an office
    TREASURER = "treasurer", _("Treasurer (Bendahara)")  # records payments
    AUDITOR = "auditor", _("Auditor (APIP/Inspektorat)")  # reads everything, changes nothing
    ADMIN = "admin", _("Administrator")  # tenant settings, offices, users


# Roles whose membership is tied to one office (OPD). Such a role counts only in its office: an action
# on an order uses the roles held in the order's office (accounts.selectors.Actor.roles_in / can_in).
OFFICE_ROLES = frozenset({Role.PP, Role.PPK, Role.BUDGET_OWNER, Role.TREASURER})


class Permission(enum.StrEnum):
    """Every right the system checks. Comments say who needs it and why."""

    VENDOR_EDIT_OWN = "vendor:edit_own"  # a Penyedia fills in and resubmits its own registration
    VENDOR_VIEW_ALL = "vendor:view_all"  # see every vendor of the tenant, with private fields
    VENDOR_REGISTER_ASSISTED = "vendor:register_assisted"  # Dinas desk registers for an owner
    VENDOR_VERIFY = "vendor:verify"  # approve, reject, ask for revision
    VENDOR_IMPORT = "vendor:import"  # import the Dinas UMKM registry
    DASHBOARD_UMKM = "dashboard:umkm"  # UMKM counts by class and district
    DASHBOARD_SPENDING = "dashboard:spending"  # spending and the 40% UMK share; a PA/KPA their office's only
    AUDIT_VIEW = "audit:view"  # read the audit log
    PRODUCT_EDIT_OWN = "product:edit_own"  # a verified Penyedia writes its own products
    PRODUCT_VIEW_ALL = "product:view_all"  # see every product of the tenant, in any state
    PRODUCT_CURATE = "product:curate"  # approve, ask for revision, reject, freeze, delist
    PRODUCT_IMPORT_ASSISTED = "product:import_assisted"  # import and list products for a UMKM
    CATEGORY_MANAGE = "category:manage"  # the category tree and its required attributes
    SYNONYM_MANAGE = "synonym:manage"  # the tenant's search synonyms
    ORDER_BUY = "order:buy"  # build carts and orders for an office where one is PP or PPK
    ORDER_VIEW = "order:view"  # see orders: one's office's, one's vendor's, or all (auditor)
    ORDER_VIEW_ALL = "order:view_all"  # every order of the tenant, read-only
    BUDGET_MANAGE = "budget:manage"  # import and edit budget lines (RUP packages)
    DAYS_OFF_MANAGE = "calendar:manage"  # local days off of the working-day calendar
    OFFICE_MANAGE = "office:manage"  # create and edit offices (OPD)
    USER_MANAGE = "user:manage"  # invite users, grant roles


_MANAGER = {
    Permission.VENDOR_VIEW_ALL,
    Permission.VENDOR_REGISTER_ASSISTED,
    Permission.VENDOR_VERIFY,
    Permission.VENDOR_IMPORT,
    Permission.DASHBOARD_UMKM,
    Permission.DASHBOARD_SPENDING,
    Permission.PRODUCT_VIEW_ALL,
    Permission.PRODUCT_CURATE,
    Permission.PRODUCT_IMPORT_ASSISTED,
    Permission.CATEGORY_MANAGE,
    Permission.SYNONYM_MANAGE,
    Permission.BUDGET_MANAGE,
    Permission.DAYS_OFF_MANAGE,
    Permission.ORDER_VIEW,
    Permission.ORDER_VIEW_ALL,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    # A Penyedia sees and edits only its own business.
    Role.VENDOR: frozenset({Permission.VENDOR_EDIT_OWN, Permission.PRODUCT_EDIT_OWN, Permission.ORDER_VIEW}),
    # The Dinas desk: onboarding, verification, the registry and its figures.
    Role.CATALOGUE_MANAGER: frozenset(_MANAGER),
    # Buyers act for their office only (the order's workflow table says who does which step).
    Role.PP: frozenset({Permission.ORDER_BUY, Permission.ORDER_VIEW}),
    Role.PPK: frozenset({Permission.ORDER_BUY, Permission.ORDER_VIEW}),
    Role.TREASURER: frozenset({Permission.ORDER_VIEW}),
    # The head of an office reads its orders and the policy figures.
    Role.BUDGET_OWNER: frozenset({Permission.DASHBOARD_UMKM, Permission.DASHBOARD_SPENDING, Permission.ORDER_VIEW}),
    # The auditor reads everything and writes nothing.
    Role.AUDITOR: frozenset(
        {
            Permission.VENDOR_VIEW_ALL,
            Permission.PRODUCT_VIEW_ALL,
            Permission.ORDER_VIEW,
            Permission.ORDER_VIEW_ALL,
            Permission.DASHBOARD_UMKM,
            Permission.DASHBOARD_SPENDING,
            Permission.AUDIT_VIEW,
        }
    ),
    # The administrator runs the tenant: offices, users, and may read what the managers read.
    Role.ADMIN: frozenset(
        {
            Permission.OFFICE_MANAGE,
            Permission.USER_MANAGE,
            Permission.AUDIT_VIEW,
            Permission.VENDOR_VIEW_ALL,
            Permission.PRODUCT_VIEW_ALL,
            Permission.ORDER_VIEW,
            Permission.ORDER_VIEW_ALL,
            Permission.BUDGET_MANAGE,
            Permission.DASHBOARD_UMKM,
            Permission.DASHBOARD_SPENDING,
        }
    ),
}


def permissions_for(roles: set[str] | frozenset[str]) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS.get(Role(role), frozenset())
    return frozenset(granted)

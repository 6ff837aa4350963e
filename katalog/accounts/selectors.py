"""Reads about people: who is this user, where, in which roles."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser, User

from katalog.core.models import Katalog
from katalog.core.permissions import Permission, permissions_for

from .models import Membership, Office


@dataclass(frozen=True)
class Actor:
    """The acting user as the rest of the code sees them: one tenant, their roles there,
    their office (if any) and the rights those roles give. Built once per request.

    `roles` and `permissions` are the union over the user's memberships in the tenant: they answer
    "may this user ever do X here" (menus, tenant-wide rights). An action in an office uses only the
    roles held in that office: `roles_in(office)`, `can_in(permission, office)` (docs/purchasing.md,
    "Roles per office"). `office` is the acting office: the one chosen in the header (the session)
    among the offices where the user holds a role, else the first membership's."""

    user: User | AnonymousUser
    katalog: Katalog | None
    roles: frozenset[str] = frozenset()
    office: Office | None = None
    permissions: frozenset[Permission] = field(default_factory=frozenset)
    # (office, role) of each office-bound membership in the tenant, in membership order.
    office_roles: tuple[tuple[Office, str], ...] = ()

    @property
    def is_authenticated(self) -> bool:
        return bool(self.user and self.user.is_authenticated)

    @property
    def db_user(self) -> User | None:
        """The user to store in a foreign key (None for the system actor)."""
        return self.user if self.is_authenticated else None

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def roles_in(self, office: Office | int | None) -> frozenset[str]:
        """The roles this user holds in one office (none for None)."""
        if office is None:
            return frozenset()
        pk = office if isinstance(office, int) else office.pk
        return frozenset(role for o, role in self.office_roles if o.pk == pk)

    def can_in(self, permission: Permission, office: Office | int | None) -> bool:
        """Whether the roles held in `office` give this right."""
        return permission in permissions_for(self.roles_in(office))

    def offices_with(self, *roles: str) -> list[Office]:
        """The offices where the user holds any of `roles` (every office role when none is named),
        in membership order, each once."""
        wanted = set(roles) if roles else None
        seen: dict[int, Office] = {}
        for office, role in self.office_roles:
            if (wanted is None or role in wanted) and office.pk not in seen:
                seen[office.pk] = office
        return list(seen.values())


def actor_for(
    user,
    katalog: Katalog | None = None,
    *,
    host_tenant: Callable[[], Katalog | None] | None = None,
    office_id: int | None = None,
    memberships: list[Membership] | None = None,
) -> Actor:
    """The actor for `user`. A user's memberships normally sit in one tenant; when they sit in
    several, `katalog` (or else the tenant of the request's host, asked for only then) chooses,
    else the first by tenant id. A user without membership acts in `katalog` or the host's tenant.
    `office_id` is the acting office chosen in the header; ignored unless the user holds a role there."""

    def fallback() -> Katalog | None:
        return katalog if katalog is not None or host_tenant is None else host_tenant()

    if not user or not user.is_authenticated:
        return Actor(user=user or AnonymousUser(), katalog=fallback())
    # In membership order, sorted here: a handful of rows, and compiling an ORDER BY costs more (every request).
    # `memberships`: the user's rows with their tenant and office, read already (the API's bearer token).
    if memberships is None:
        memberships = Membership.objects.filter(user=user).select_related("katalog", "office")
    memberships = sorted(memberships, key=lambda m: m.pk)
    for m in memberships:  # an office's tenant is its membership's: the row read once, not joined twice
        if m.office is not None and m.office.katalog_id == m.katalog_id:
            Office.katalog.field.set_cached_value(m.office, m.katalog)
    if not memberships:
        return Actor(user=user, katalog=fallback())
    tenants = {m.katalog_id: m.katalog for m in memberships}
    if len(tenants) > 1:
        katalog = fallback()
    chosen = katalog if katalog is not None and katalog.pk in tenants else tenants[min(tenants)]
    mine = [m for m in memberships if m.katalog_id == chosen.pk]
    roles = frozenset(m.role for m in mine)
    office_roles = tuple((m.office, m.role) for m in mine if m.office_id)
    office = next((o for o, _role in office_roles if o.pk == office_id), None) if office_id else None
    if office is None:
        office = office_roles[0][0] if office_roles else None
    return Actor(
        user=user,
        katalog=chosen,
        roles=roles,
        office=office,
        permissions=permissions_for(roles),
        office_roles=office_roles,
    )


def system_actor(katalog: Katalog) -> Actor:
    """The actor of a command run by the operator on the server (e.g. `katalog import_products
    --approve`): the rights of a Pengelola in one tenant, with no user. Deliberately rare; every
    write it makes is audited with an empty actor."""
    from katalog.core.permissions import Role

    roles = frozenset({Role.CATALOGUE_MANAGER})
    return Actor(user=AnonymousUser(), katalog=katalog, roles=roles, permissions=permissions_for(roles))

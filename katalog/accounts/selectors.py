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
    their office (if any) and the rights those roles give. Built once per request."""

    user: User | AnonymousUser
    katalog: Katalog | None
    roles: frozenset[str] = frozenset()
    office: Office | None = None
    permissions: frozenset[Permission] = field(default_factory=frozenset)

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


def actor_for(
    user, katalog: Katalog | None = None, *, host_tenant: Callable[[], Katalog | None] | None = None
) -> Actor:
    """The actor for `user`. A user's memberships normally sit in one tenant; when they sit in
    several, `katalog` (or else the tenant of the request's host, asked for only then) chooses,
    else the first by tenant id. A user without membership acts in `katalog` or the host's tenant."""

    def fallback() -> Katalog | None:
        return katalog if katalog is not None or host_tenant is None else host_tenant()

    if not user or not user.is_authenticated:
        return Actor(user=user or AnonymousUser(), katalog=fallback())
    memberships = list(Membership.objects.filter(user=user).select_related("katalog", "office", "office__katalog"))
    if not memberships:
        return Actor(user=user, katalog=fallback())
    tenants = {m.katalog_id: m.katalog for m in memberships}
    if len(tenants) > 1:
        katalog = fallback()
    chosen = katalog if katalog is not None and katalog.pk in tenants else tenants[min(tenants)]
    mine = [m for m in memberships if m.katalog_id == chosen.pk]
    roles = frozenset(m.role for m in mine)
    office = next((m.office for m in mine if m.office_id), None)
    return Actor(user=user, katalog=chosen, roles=roles, office=office, permissions=permissions_for(roles))


def system_actor(katalog: Katalog) -> Actor:
    """The actor of a command run by the operator on the server (e.g. `katalog import_products
    --approve`): the rights of a Pengelola in one tenant, with no user. Deliberately rare; every
    write it makes is audited with an empty actor."""
    from katalog.core.permissions import Role

    roles = frozenset({Role.CATALOGUE_MANAGER})
    return Actor(user=AnonymousUser(), katalog=katalog, roles=roles, permissions=permissions_for(roles))

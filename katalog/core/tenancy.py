"""Which tenant a request is for, and who is acting.

A signed-in user acts in the tenant of their memberships. An anonymous visitor sees the tenant
whose `domain` is the request's host, else the one named by KATALOG_DEFAULT_TENANT, else the
only active one. (docs/decisions.md, "Tenant of a request")."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from . import tenant_cache
from .models import Katalog

ACTING_OFFICE_KEY = "katalog_acting_office"


def public_tenant_for_host(host: str) -> Katalog | None:
    """The tenant a visitor on `host` sees; kept between requests (core/tenant_cache.py): it was
    two queries on every public page."""
    host = host.split(":")[0].lower()
    key = f"host:{host}:{settings.KATALOG_DEFAULT_TENANT}"
    return tenant_cache.cached(tenant_cache.ALL_TENANTS, key, lambda: _find_public_tenant(host))


def _find_public_tenant(host: str) -> Katalog | None:
    katalog = Katalog.objects.filter(domain=host, is_active=True).select_related("region").first()
    if katalog:
        return katalog
    katalog = (
        Katalog.objects.filter(region_id=settings.KATALOG_DEFAULT_TENANT, is_active=True)
        .select_related("region")
        .first()
    )
    if katalog:
        return katalog
    return Katalog.objects.filter(is_active=True).select_related("region").order_by("id").first()


def _actor(request):
    from katalog.accounts.selectors import actor_for

    # The host's tenant costs a query: it is looked up only when the user's memberships do not decide.
    # The acting office a user with roles in several offices chose in the header (buying.views.choose_office).
    session = getattr(request, "session", None)
    office_id = session.get(ACTING_OFFICE_KEY) if session is not None and request.user.is_authenticated else None
    return actor_for(
        request.user,
        host_tenant=lambda: public_tenant_for_host(request.get_host()),
        office_id=office_id if isinstance(office_id, int) else None,
    )


def _katalog(request):
    actor = request.actor
    if actor.katalog is not None:
        return actor.katalog
    return public_tenant_for_host(request.get_host())


class TenantMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = SimpleLazyObject(lambda: _actor(request))
        request.katalog = SimpleLazyObject(lambda: _katalog(request))
        return self.get_response(request)

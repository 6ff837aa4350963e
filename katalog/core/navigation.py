"""The main menu, driven by the actor's rights: an entry shows when the actor may open its page.

The right is read from the page itself (the `@require` / `@require_any` of its view), so the menu and
the access check can never disagree; a page open to any signed-in user names the right that makes
it useful (`shown_with`). No template tests a role name (tests/core/test_navigation.py)."""

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, resolve, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .permissions import Permission as P


@dataclass(frozen=True)
class Entry:
    url_name: str
    label: str | Promise
    shown_with: tuple[P, ...] = ()  # for a page any signed-in user may open: one of these makes it useful
    office_only: bool = False  # shown to a holder of an office role (or to those who read every office)


MENU = [
    Entry("vendors:queue", _("Verification")),
    Entry("catalogue:queue", _("Curation")),
    Entry("vendors:list", _("Vendors")),
    Entry("vendors:assisted", _("Register a UMKM")),
    Entry("vendors:import", _("Import")),
    Entry("messaging:list", _("Messages")),
    Entry("vendors:mine", _("My business"), shown_with=(P.VENDOR_EDIT_OWN,)),
    Entry("catalogue:mine", _("My products")),
    Entry("vendors:dashboard", _("My sales")),
    Entry("buying:cart", _("Cart")),
    Entry("buying:orders", _("Orders")),
    Entry("buying:budget_lines", _("Budget lines"), shown_with=(P.ORDER_BUY, P.BUDGET_MANAGE, P.ORDER_VIEW_ALL)),
    Entry("buying:days_off", _("Days off")),
    Entry("insights:umkm", _("Dashboard")),
    Entry("insights:spending", _("Spending")),
    Entry("insights:budget", _("Budget use")),
    Entry("insights:payments", _("Payments")),
    Entry("insights:audit", _("Audit log")),
    Entry("insights:flags", _("Red flags")),
]


def _urlconf() -> str:
    return get_urlconf() or settings.ROOT_URLCONF


@lru_cache(maxsize=256)
def _page(url_name: str, urlconf: str, prefix: str) -> tuple[str, tuple | None, bool]:
    """The path of `url_name` and the rights its view declares: the URLconf does not change while a
    process runs, so this is looked up once (it was 19 `reverse` + `resolve` on every signed-in page)."""
    url = reverse(url_name, urlconf=urlconf)
    view = resolve(url, urlconf=urlconf).func
    needed = getattr(view, "required_permissions", None)
    return url, (tuple(needed) if needed is not None else None), bool(getattr(view, "required_any", False))


def may_open(actor, url_name: str) -> bool:
    """Whether the actor holds the right the page at `url_name` declares."""
    _url, needed, required_any = _page(url_name, _urlconf(), get_script_prefix())
    if needed is None:
        return bool(actor and actor.is_authenticated)
    held = (actor.can(p) for p in needed)
    return any(held) if required_any else all(held)


def menu_for(actor) -> list[dict]:
    if actor is None or not actor.is_authenticated or not actor.permissions:
        return []
    entries = []
    for entry in MENU:
        if not may_open(actor, entry.url_name):
            continue
        if entry.shown_with and not any(actor.can(p) for p in entry.shown_with):
            continue
        entries.append(
            {
                "url": _page(entry.url_name, _urlconf(), get_script_prefix())[0],
                "label": entry.label,
                "name": entry.url_name,
            }
        )
    return entries


def navigation(request):
    """Context processor: `menu` (the entries) and `can` (the actor's rights, for buttons)."""
    actor = getattr(request, "actor", None)
    rights = {p.value for p in actor.permissions} if actor is not None and actor.is_authenticated else set()
    return {"menu": menu_for(actor), "rights": rights}

"""The main menu, driven by the actor's rights: an entry shows when the actor may open its page.

The right is read from the page itself (the `@require` / `@require_any` of its view), so the menu and
the access check can never disagree; a page open to any signed-in user names the right that makes
it useful (`shown_with`). No template tests a role name (tests/core/test_navigation.py)."""

from dataclasses import dataclass

from django.urls import resolve, reverse
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


def may_open(actor, url_name: str) -> bool:
    """Whether the actor holds the right the page at `url_name` declares."""
    view = resolve(reverse(url_name)).func
    needed = getattr(view, "required_permissions", None)
    if needed is None:
        return bool(actor and actor.is_authenticated)
    held = (actor.can(p) for p in needed)
    return any(held) if getattr(view, "required_any", False) else all(held)


def menu_for(actor) -> list[dict]:
    if actor is None or not actor.is_authenticated or not actor.permissions:
        return []
    entries = []
    for entry in MENU:
        if not may_open(actor, entry.url_name):
            continue
        if entry.shown_with and not any(actor.can(p) for p in entry.shown_with):
            continue
        entries.append({"url": reverse(entry.url_name), "label": entry.label, "name": entry.url_name})
    return entries


def navigation(request):
    """Context processor: `menu` (the entries) and `can` (the actor's rights, for buttons)."""
    actor = getattr(request, "actor", None)
    rights = {p.value for p in actor.permissions} if actor is not None and actor.is_authenticated else set()
    return {"menu": menu_for(actor), "rights": rights}

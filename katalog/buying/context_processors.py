from functools import partial


def _unread(request) -> int:
    from .selectors import unread_count

    return unread_count(request.actor)


def notifications(request):
    """`unread_notifications` and the buyer's offices for the menu; computed only when a template shows them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "actor", None) is None:
        return {}
    return {
        "unread_notifications": partial(_unread, request),
        # The header's office switcher (buying/_office_switch.html): the offices where the user buys.
        "buying_offices": partial(_buying_offices, request),
        "buying_office": partial(_buying_office, request),
    }


def _buying_offices(request) -> list:
    from katalog.core.permissions import Role

    return request.actor.offices_with(Role.PP, Role.PPK)


def _buying_office(request):
    from .selectors import buying_office

    return buying_office(request.actor)

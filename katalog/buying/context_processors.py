from functools import partial


def _unread(request) -> int:
    from .selectors import unread_count

    return unread_count(request.actor)


def notifications(request):
    """`unread_notifications` for the menu; counted only when a template shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "actor", None) is None:
        return {}
    return {"unread_notifications": partial(_unread, request)}

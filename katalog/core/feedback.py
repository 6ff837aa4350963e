"""Showing a service's error to the person who caused it, in one way on every page."""

from django.contrib import messages

from .errors import DomainError


def show_domain_error(request, form, exc: DomainError, *, aliases: dict[str, str] | None = None) -> None:
    """Put the error on the field it names (the form keeps what was typed), else on top of the
    form, else (no form) on top of the page. `aliases` maps a service's field names to the form's."""
    if form is None:
        messages.error(request, str(exc.message))
        return
    placed = False
    for name, msgs in exc.fields.items():
        name = (aliases or {}).get(name, name)
        if name in form.fields:
            for message in msgs:
                form.add_error(name, message)
            placed = True
    if not placed:
        form.add_error(None, str(exc.message))

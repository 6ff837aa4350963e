"""`{% load idempotency %}` … `{% idempotency_field %}` inside a form whose POST creates something:
a hidden `idempotency_key`, new each time the form is shown, so that sending the same form twice
creates once (katalog/core/idempotency.py). A form shown again after a refused POST keeps the key it
was sent with, so the corrected form still creates once."""

import re
import uuid

from django import template
from django.utils.html import format_html

from katalog.core.idempotency import FIELD

register = template.Library()
OWN_KEY = re.compile(r"[0-9a-f]{32}")  # what this tag makes: anything else sent back is not echoed


@register.simple_tag(takes_context=True)
def idempotency_field(context) -> str:
    request = context.get("request")
    key = request.POST.get(FIELD) if request is not None and request.method == "POST" else None
    if key is None or not OWN_KEY.fullmatch(key):
        key = uuid.uuid4().hex
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, key)

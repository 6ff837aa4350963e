"""`{{ code|kbli_label }}`: a KBLI code with its KBLI 2020 title ("10794 — Industri Kerupuk, ...")."""

from django import template

from katalog.vendors import kbli

register = template.Library()


@register.filter
def kbli_label(code) -> str:
    entry = kbli.get(str(code or ""))
    return entry.label if entry else str(code or "")

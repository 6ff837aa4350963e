from django import template

from katalog.core.money import format_rupiah

register = template.Library()


@register.filter(name="rupiah")
def rupiah(value):
    """{{ amount|rupiah }} → Rp1.250.000"""
    return format_rupiah(value)


@register.filter(name="thousands")
def thousands(value):
    """{{ 27753|thousands }} → 27.753 (Indonesian digit grouping for counts)."""
    try:
        return f"{int(value):,}".replace(",", ".")
    except (TypeError, ValueError):
        return value


@register.filter(name="npwp")
def npwp(value):
    """021832415000000 → 02.183.241.5-000.000 (the 16-digit form is shown as it is)."""
    text = str(value or "")
    if len(text) == 15 and text.isdigit():
        return f"{text[:2]}.{text[2:5]}.{text[5:8]}.{text[8]}-{text[9:12]}.{text[12:]}"
    return text

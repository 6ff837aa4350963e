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

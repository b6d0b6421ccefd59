"""Figures of codings in plain form: a dash where a figure is not defined."""

from django import template

register = template.Library()
DASH = "—"


@register.filter
def seconds(value):
    """12.345 → "12.3 s"."""
    return DASH if value is None else f"{value:.1f} s"


@register.filter
def decimal(value, places=2):
    return DASH if value is None else f"{value:.{int(places)}f}"


@register.filter
def percent(value):
    """0.256 → "25.6%"."""
    return DASH if value is None else f"{value * 100:.1f}%"

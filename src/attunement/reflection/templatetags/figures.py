"""Figures of videos, codings and measurements in plain form: a dash where a figure is not defined."""

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


@register.filter
def clock(value):
    """Seconds as a clock: 75.4 → "1:15", 3725 → "1:02:05"."""
    if value is None:
        return DASH
    whole = int(value)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def absolute(value):
    return None if value is None else abs(value)


@register.filter
def divide(value, by):
    return int(value) // int(by)

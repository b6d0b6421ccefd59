from django import template

register = template.Library()


@register.filter
def figure(value, threshold=5):
    """A figure, or the plain words that stand for a hidden one."""
    return f"fewer than {threshold}" if value is None else value

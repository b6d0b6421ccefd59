from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def lockout_minutes() -> int:
    """How long an account stays locked after too many wrong passwords, in minutes."""
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


@register.simple_tag
def lockout_attempts() -> int:
    return settings.AXES_FAILURE_LIMIT

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from .policies import security_log_policy


def security_log(*, actor, kind: str | None = None, user_id: int | None = None) -> QuerySet:
    """The security events this actor may read, newest first, narrowed by kind and person."""
    events = security_log_policy.scope(actor).select_related("user")
    if kind:
        events = events.filter(kind=kind)
    if user_id:
        events = events.filter(user_id=user_id)
    return events.order_by("-at", "-pk")


def members_of(organisation) -> QuerySet:
    """Everyone who has or had a membership of the organisation: the people the log can be narrowed to."""
    return (
        get_user_model()
        .objects.filter(memberships__organisation=organisation)
        .distinct()
        .order_by("first_name", "last_name", "email")
    )

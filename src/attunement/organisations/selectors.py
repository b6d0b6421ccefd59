from django.db.models import Q, QuerySet

from .models import Membership


def memberships_of(user) -> QuerySet[Membership]:
    if not user.is_authenticated:
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user, is_active=True)
        .select_related("organisation", "site")
        .order_by("organisation__name")
    )


def staff_of(organisation) -> QuerySet:
    from django.contrib.auth import get_user_model

    from .policies import STAFF_ROLES

    return (
        get_user_model()
        .objects.filter(
            memberships__organisation=organisation,
            memberships__is_active=True,
            memberships__role__in=STAFF_ROLES,
        )
        .order_by("first_name", "last_name")
        .distinct()
    )


def audit_users(organisation) -> QuerySet:
    """Everyone whose actions can be in the organisation's audit trail: every member in any role (family
    members and external viewers too), past members, and anyone else who has an entry there."""
    from django.contrib.auth import get_user_model

    from .models import AuditEntry

    acted = AuditEntry.objects.filter(organisation=organisation, actor__isnull=False).values("actor_id")
    return (
        get_user_model()
        .objects.filter(Q(memberships__organisation=organisation) | Q(pk__in=acted))
        .order_by("first_name", "last_name", "email")
        .distinct()
    )


def roles_in(organisation, user_ids) -> dict[int, str]:
    """Each user's role in the organisation, in words ("Family member"), with "(left)" for a past member."""
    roles = {}
    for membership in Membership.objects.filter(organisation=organisation, user_id__in=user_ids):
        label = membership.get_role_display()
        roles[membership.user_id] = label if membership.is_active else f"{label} (left)"
    return roles


def audit_trail(*, actor, learner_id=None, user_id=None, since=None, until=None):
    """The organisation's audit entries, newest first, narrowed by person, user and period."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from .policies import audit_policy

    entries = audit_policy.scope(actor).select_related("actor")
    if learner_id:
        entries = entries.filter(learner_id=learner_id)
    if user_id:
        entries = entries.filter(actor_id=user_id)
    if since:
        entries = entries.filter(at__gte=timezone.make_aware(datetime.combine(since, time.min)))
    if until:
        entries = entries.filter(at__lt=timezone.make_aware(datetime.combine(until + timedelta(days=1), time.min)))
    return entries.order_by("-at", "-pk")

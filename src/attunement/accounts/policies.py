from django.db.models import Q, QuerySet

from attunement.organisations.models import Membership
from attunement.organisations.policies import LEADERSHIP_ROLES, Policy


class SecurityLogPolicy(Policy):
    """Co-ordinators and administrators read the security log of their organisation: events that happened
    inside it, and the sign-in events of its members (which belong to no one organisation). Attempts on
    addresses that are nobody's account are seen only by the site's own staff, in the admin."""

    actions = {"view": LEADERSHIP_ROLES}
    action_words = {"view": "read the security log"}

    def scope(self, actor: Membership) -> QuerySet:
        from .models import SecurityEvent

        members = Membership.objects.filter(organisation_id=actor.organisation_id).values("user_id")
        return SecurityEvent.objects.filter(
            Q(organisation_id=actor.organisation_id) | Q(organisation__isnull=True, user_id__in=members)
        )


security_log_policy = SecurityLogPolicy()

"""Who is told things here: members of staff about their work, family members about their own person.
External viewers see only anonymised figures, so nothing here is for them. Each member sees and changes only
their own choices."""

from django.db.models import QuerySet

from attunement.learners.policies import learner_policy
from attunement.organisations.models import Membership, Role
from attunement.organisations.policies import STAFF_ROLES, Policy

from .models import Kind, Preference

TOLD_ROLES = STAFF_ROLES | {Role.FAMILY}


class NotificationPolicy(Policy):
    actions = {"view": TOLD_ROLES, "choose": TOLD_ROLES}
    action_words = {"view": "see what needs them here", "choose": "choose how they are told"}
    outside_scope = "Those choices are someone else's."

    def scope(self, actor: Membership) -> QuerySet[Preference]:
        if not self.role_may(actor, "view"):
            return Preference.objects.none()
        return Preference.objects.filter(membership=actor)

    def kinds_for(self, actor: Membership | None) -> list[str]:
        """The kinds of notification that can ever concern this member, in the order they are offered."""
        if not self.role_may(actor, "view"):
            return []
        if actor.role == Role.FAMILY:
            return [Kind.FAMILY_NEWS]
        kinds = [Kind.ACTIONS, Kind.VIDEO_SHARED, Kind.VIDEO_REPLY, Kind.HOME_NOTES, Kind.TRAINING]
        if learner_policy.role_may(actor, "record_consent"):  # those who renew consent hear it is due
            kinds.insert(1, Kind.CONSENT)
        return kinds


notification_policy = NotificationPolicy()

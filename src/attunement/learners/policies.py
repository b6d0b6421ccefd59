from django.db.models import Q, QuerySet
from django.utils import timezone

from attunement.organisations.models import Membership, Role
from attunement.organisations.policies import LEADERSHIP_ROLES, ORGANISATION_WIDE_ROLES, STAFF_ROLES, Policy

from .models import Learner

ASSIGNED_ROLES = frozenset({Role.PRACTITIONER, Role.THERAPIST, Role.FAMILY})

# Who may do each privacy action for one person (the pages are in the privacy and records apps).
PRIVACY_ACTIONS = {
    # Practitioners and therapists assigned to the person see consent, so they know what they may film.
    "view_consents": STAFF_ROLES,
    "record_consent": ORGANISATION_WIDE_ROLES,
    "withdraw_consent": ORGANISATION_WIDE_ROLES,
    # A hold only stops deletion, so everyone who sees the whole organisation may place or lift one.
    "manage_hold": ORGANISATION_WIDE_ROLES,
    "export": LEADERSHIP_ROLES,
    "erase": LEADERSHIP_ROLES,
}


class LearnerPolicy(Policy):
    actions = {
        "view": STAFF_ROLES | {Role.FAMILY},
        "view_records": STAFF_ROLES,
        "create": ORGANISATION_WIDE_ROLES,
        "edit": ORGANISATION_WIDE_ROLES,
        "edit_profile": STAFF_ROLES,
        "manage_plans": ORGANISATION_WIDE_ROLES | {Role.THERAPIST},
        "record_session": STAFF_ROLES,
        "review_progress": STAFF_ROLES,
        # The family portal: a family member's own person, in plain words, and notes from home.
        "view_family_portal": {Role.FAMILY},
        "add_home_observation": {Role.FAMILY},
        # Family feedback: given by the family in the portal, or copied in by staff from a paper form.
        "give_family_feedback": {Role.FAMILY},
        "enter_family_feedback": STAFF_ROLES,
        **PRIVACY_ACTIONS,
    }

    def scope(self, actor: Membership) -> QuerySet[Learner]:
        in_org = Learner.objects.filter(organisation_id=actor.organisation_id)
        if not actor.is_active:
            return in_org.none()
        if actor.role in ORGANISATION_WIDE_ROLES:
            return in_org
        if actor.role in ASSIGNED_ROLES:
            today = timezone.localdate()
            current = (Q(assignments__starts_on__isnull=True) | Q(assignments__starts_on__lte=today)) & (
                Q(assignments__ends_on__isnull=True) | Q(assignments__ends_on__gte=today)
            )
            # One assignment per person and learner (a unique constraint), so this join never repeats a learner.
            return in_org.filter(Q(assignments__user_id=actor.user_id) & current)
        return in_org.none()

    def may_create(self, actor: Membership | None) -> bool:
        return self.role_may(actor, "create")


learner_policy = LearnerPolicy()

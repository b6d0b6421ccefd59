from django.db.models import Q, QuerySet
from django.utils import timezone

from attunement.organisations.models import Membership, Role
from attunement.organisations.policies import LEADERSHIP_ROLES, ORGANISATION_WIDE_ROLES, STAFF_ROLES, Policy

from .models import Group, Learner

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
PRIVACY_ACTION_WORDS = {
    "view_consents": "see a person's consent records",
    "record_consent": "record consent",
    "withdraw_consent": "record a withdrawal of consent",
    "manage_hold": "place or lift a legal hold",
    "export": "export everything held about a person",
    "erase": "erase a person's records",
}


class LearnerPolicy(Policy):
    actions = {
        "view": STAFF_ROLES | {Role.FAMILY},
        "view_records": STAFF_ROLES,
        "create": ORGANISATION_WIDE_ROLES,
        "edit": ORGANISATION_WIDE_ROLES,
        "assign": ORGANISATION_WIDE_ROLES,
        "edit_profile": STAFF_ROLES,
        "manage_plans": ORGANISATION_WIDE_ROLES | {Role.THERAPIST},
        "record_session": STAFF_ROLES,
        "review_progress": STAFF_ROLES,
        # An anonymised case study is shown outside only once a leader has checked every quoted sentence.
        "release_case_study": ORGANISATION_WIDE_ROLES,
        # The family portal: a family member's own person, in plain words, and notes from home.
        "view_family_portal": {Role.FAMILY},
        "add_home_observation": {Role.FAMILY},
        # Family feedback: given by the family in the portal, or copied in by staff from a paper form.
        "give_family_feedback": {Role.FAMILY},
        "enter_family_feedback": STAFF_ROLES,
        # Importing adds and changes people and who works with them, so it takes what adding and editing take.
        "import": ORGANISATION_WIDE_ROLES,
        **PRIVACY_ACTIONS,
    }
    action_words = {
        "view": "see a person's pages",
        "view_records": "see a person's records",
        "create": "add people",
        "edit": "change a person's details",
        "assign": "change who works with someone",
        "edit_profile": "change a communication profile",
        "manage_plans": "change a person's plans",
        "record_session": "record sessions",
        "review_progress": "review progress",
        "release_case_study": "release a case study",
        "view_family_portal": "use the family pages",
        "add_home_observation": "add notes from home",
        "give_family_feedback": "give feedback as a family",
        "enter_family_feedback": "enter a family's feedback",
        "import": "import people from a spreadsheet",
        **PRIVACY_ACTION_WORDS,
    }
    outside_scope = "You are not assigned to this person."

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
        """Whether to offer "Add a person"."""
        return self.role_may(actor, "create")


learner_policy = LearnerPolicy()


class GroupPolicy(Policy):
    """The organisation's classes and groups: staff see them and filter by them; leaders shape the list."""

    actions = {"view": STAFF_ROLES, "manage": LEADERSHIP_ROLES}
    action_words = {"view": "see the classes and groups", "manage": "change the classes and groups"}
    outside_scope = "That class or group is not in your organisation."

    def scope(self, actor: Membership) -> QuerySet[Group]:
        groups = Group.objects.filter(organisation_id=actor.organisation_id)
        return groups if actor.is_active and actor.role in STAFF_ROLES else groups.none()


group_policy = GroupPolicy()

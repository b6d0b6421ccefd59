from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from attunement.learners.policies import learner_policy
from attunement.organisations.models import Membership, Organisation, Role
from attunement.organisations.policies import LEADERSHIP_ROLES, STAFF_ROLES, Policy, roles_in_words

from .models import Fundamental, ProgressReview, ProgressScale, Session


class SessionPolicy(Policy):
    """A session is visible exactly when its learner is."""

    actions = {"view": STAFF_ROLES | {Role.FAMILY}}
    action_words = {"view": "see sessions"}
    outside_scope = "You are not assigned to this person."

    def scope(self, actor: Membership) -> QuerySet[Session]:
        return Session.objects.filter(learner__in=learner_policy.scope(actor).values("pk"))


class ReviewPolicy(Policy):
    actions = {"view": STAFF_ROLES | {Role.FAMILY}}
    action_words = {"view": "see progress reviews"}
    outside_scope = "You are not assigned to this person."

    def scope(self, actor: Membership) -> QuerySet[ProgressReview]:
        return ProgressReview.objects.filter(learner__in=learner_policy.scope(actor).values("pk"))


class FundamentalPolicy(Policy):
    """Everyone in the organisation uses the catalogue; co-ordinators and administrators shape it."""

    actions = {"view": STAFF_ROLES | {Role.FAMILY}, "manage": LEADERSHIP_ROLES}
    action_words = {"view": "use the Fundamentals list", "manage": "change the Fundamentals"}

    def scope(self, actor: Membership) -> QuerySet[Fundamental]:
        return Fundamental.objects.filter(organisation_id=actor.organisation_id)


class ScalePolicy(Policy):
    """Co-ordinators and administrators word the organisation's progress scales their own way."""

    actions = {"manage": LEADERSHIP_ROLES}
    action_words = {"manage": "change the scales"}
    outside_scope = "That scale is not in your organisation."

    def scope(self, actor: Membership) -> QuerySet[ProgressScale]:
        return ProgressScale.objects.filter(organisation_id=actor.organisation_id)


class PracticeSettingsPolicy(Policy):
    """Co-ordinators and administrators set how the organisation practises: the word for the people it
    supports, the weekly target, the scale used and how long staff may correct their own records."""

    actions = {"manage": LEADERSHIP_ROLES}
    action_words = {"manage": "change the organisation's practice settings"}

    def scope(self, actor: Membership) -> QuerySet[Organisation]:
        return Organisation.objects.filter(pk=actor.organisation_id)


session_policy = SessionPolicy()
review_policy = ReviewPolicy()
fundamental_policy = FundamentalPolicy()
scale_policy = ScalePolicy()
practice_settings_policy = PracticeSettingsPolicy()


# --- Correcting and withdrawing a saved record ------------------------------------------------------------

# Co-ordinators and administrators lead the practice and read the audit trail, where a withdrawn record stays
# visible: they may correct or withdraw any session or review of their organisation, at any time. Everyone else
# on the staff, managers included, may correct only what they saved themselves, within the organisation's
# correction window (`Organisation.correction_days`, 7 days unless changed).
CORRECTS_ANY_RECORD = LEADERSHIP_ROLES
CORRECTORS_IN_WORDS = roles_in_words(CORRECTS_ANY_RECORD)


def correction_refusal(actor: Membership | None, record: Session | ProgressReview, *, now=None) -> str | None:
    """The one rule for correcting or withdrawing a saved session or progress review.

    Returns None when `actor` may do it, otherwise the reason in plain words (shown on the refusal page and
    beside the record). Nobody outside the organisation's staff, or who cannot see the person, ever may."""
    policy = session_policy if isinstance(record, Session) else review_policy
    if actor is None or not actor.is_active or actor.role not in STAFF_ROLES:
        return f"Only {roles_in_words(STAFF_ROLES)} can correct records."
    if record.is_withdrawn:
        return "This record has been withdrawn, so it can no longer be changed."
    if not policy.scope(actor).filter(pk=record.pk).exists():
        return "You cannot see this person's records."
    if actor.role in CORRECTS_ANY_RECORD:
        return None
    if record.owner_id != actor.user_id:
        return f"Only the person who saved this record, or {CORRECTORS_IN_WORDS}, can correct or withdraw it."
    organisation = record.learner.organisation
    days = organisation.correction_days
    now = now or timezone.now()
    if days == 0:
        return f"In your organisation only {CORRECTORS_IN_WORDS} correct or withdraw saved records: please ask one."
    if now - record.created_at > timedelta(days=days):
        saved = timezone.localtime(record.created_at)
        return (
            f"You can correct what you saved for {days} day{'s' if days != 1 else ''} after saving it. This was saved "
            f"on {saved:%-d %b %Y}, so please ask a co-ordinator to correct or withdraw it."
        )
    return None


def may_correct(actor: Membership | None, record: Session | ProgressReview) -> bool:
    return correction_refusal(actor, record) is None


def may_see_withdrawn(actor: Membership | None) -> bool:
    """Withdrawn records are left out everywhere, except for those who may correct any record: they can still
    open one (marked withdrawn, with its reason), as they can find it in the audit trail."""
    return actor is not None and actor.is_active and actor.role in CORRECTS_ANY_RECORD


def restore_refusal(actor: Membership | None, record: Session | ProgressReview) -> str | None:
    """Who may bring back a withdrawn record (a withdrawal made by mistake): those who may see it, the people
    who may correct any record. None when `actor` may, otherwise why not, in plain words."""
    if not record.is_withdrawn:
        return "This record has not been withdrawn."
    if not may_see_withdrawn(actor):
        return f"Only {CORRECTORS_IN_WORDS} can bring back a withdrawn record."
    if not learner_policy.scope(actor).filter(pk=record.learner_id).exists():
        return "You cannot see this person's records."
    return None

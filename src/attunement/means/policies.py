"""Who may see and record the means: training, supervision, champions and the staff self-report.

- Leaders (co-ordinators, managers and administrators) manage everything in their organisation.
- Any member of staff manages their own training and self-report, sees the supervision and mentoring they
  took part in, and sees who the champions are.
- Family members and external viewers see nothing here (403).
- Nobody sees another organisation's records (404: they are outside every scope).
- A self-report is seen only by the person who gave it, leaders included; leaders see averages instead
  (`selectors.self_report_trends`), with figures about fewer than five people hidden.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from attunement.organisations.models import Membership
from attunement.organisations.policies import ORGANISATION_WIDE_ROLES, STAFF_ROLES, Policy, roles_in_words

from .models import AgreedAction, Champion, Course, SelfReport, SupervisionMeeting, TrainingCompletion

LEADER_ROLES = ORGANISATION_WIDE_ROLES


def is_staff(actor: Membership | None) -> bool:
    return actor is not None and actor.is_active and actor.role in STAFF_ROLES


def require_staff(actor: Membership | None) -> None:
    """Every means page is for staff: refuse anyone else, naming who may."""
    if not is_staff(actor):
        raise PermissionDenied(f"Only {roles_in_words(STAFF_ROLES)} can use these pages.")


def leads(actor: Membership | None) -> bool:
    return actor is not None and actor.is_active and actor.role in LEADER_ROLES


def _in_organisation(model, actor: Membership) -> QuerySet:
    records = model.objects.filter(organisation_id=actor.organisation_id)
    return records if is_staff(actor) else records.none()


class CoursePolicy(Policy):
    """The organisation's catalogue of training: every member of staff uses it; leaders shape it."""

    actions = {"view": STAFF_ROLES, "manage": LEADER_ROLES}
    action_words = {"view": "use the training list", "manage": "change the training list"}
    outside_scope = "That course is not in your organisation."

    def scope(self, actor: Membership) -> QuerySet[Course]:
        return _in_organisation(Course, actor)


class TrainingPolicy(Policy):
    """Leaders see and record everyone's training; other staff their own."""

    actions = {
        "view": STAFF_ROLES,  # including the certificate
        "record_own": STAFF_ROLES,
        "record_any": LEADER_ROLES,
        "view_matrix": LEADER_ROLES,
    }
    action_words = {
        "view": "see training records",
        "record_own": "record their own training",
        "record_any": "record someone else's training",
        "view_matrix": "see everyone's training",
    }
    outside_scope = "This is someone else's training record."

    def scope(self, actor: Membership) -> QuerySet[TrainingCompletion]:
        completions = _in_organisation(TrainingCompletion, actor)
        return completions if leads(actor) else completions.filter(staff_id=actor.pk)


class MeetingPolicy(Policy):
    """Leaders see every meeting in the organisation; other staff the meetings they took part in."""

    actions = {"view": STAFF_ROLES, "record_own": STAFF_ROLES, "record_any": LEADER_ROLES}
    action_words = {
        "view": "see supervision records",
        "record_own": "record supervision",
        "record_any": "record other people's supervision",
    }
    outside_scope = "You did not take part in this meeting."

    def scope(self, actor: Membership) -> QuerySet[SupervisionMeeting]:
        meetings = _in_organisation(SupervisionMeeting, actor)
        return meetings if leads(actor) else meetings.filter(Q(supervisor_id=actor.pk) | Q(supervisee_id=actor.pk))


class AgreedActionPolicy(Policy):
    """An agreed action is visible exactly when its meeting is. Leaders, the supervisor and the person the
    action is for may mark it done; that last rule is per record, so `may_mark_done` adds it to `allows`."""

    actions = {"view": STAFF_ROLES, "mark_done": STAFF_ROLES}
    action_words = {"view": "see agreed actions", "mark_done": "mark agreed actions done"}
    outside_scope = "You did not take part in the meeting that agreed this."
    not_yours = (
        f"Only the person the action is for, the supervisor, or {roles_in_words(LEADER_ROLES)} can mark it done."
    )

    def scope(self, actor: Membership) -> QuerySet[AgreedAction]:
        return AgreedAction.objects.filter(meeting__in=meeting_policy.scope(actor).values("pk"))

    def require_mark_done(self, actor: Membership | None, action: AgreedAction) -> None:
        self.require(actor, "mark_done", action)
        if not self.marks_done(actor, action):
            raise PermissionDenied(self.not_yours)

    def may_mark_done(self, actor: Membership | None, action: AgreedAction) -> bool:
        if not self.allows(actor, "mark_done", action):
            return False
        return self.marks_done(actor, action)

    @staticmethod
    def marks_done(actor: Membership, action: AgreedAction) -> bool:
        """The per-record rule alone, for an action already fetched through the scope (to show buttons)."""
        return leads(actor) or actor.pk in (action.owner_id, action.meeting.supervisor_id)


class ChampionPolicy(Policy):
    """Every member of staff may see who the champions are; leaders appoint them."""

    actions = {"view": STAFF_ROLES, "manage": LEADER_ROLES}
    action_words = {"view": "see who the champions are", "manage": "name or change champions"}
    outside_scope = "That champion is not in your organisation."

    def scope(self, actor: Membership) -> QuerySet[Champion]:
        return _in_organisation(Champion, actor)


class SelfReportPolicy(Policy):
    """Each member of staff answers for themselves and sees only their own answers. Leaders see trends."""

    actions = {"submit": STAFF_ROLES, "view_trends": LEADER_ROLES}
    action_words = {"submit": "fill in the self-report", "view_trends": "see how staff feel overall"}

    def scope(self, actor: Membership) -> QuerySet[SelfReport]:
        return _in_organisation(SelfReport, actor).filter(staff_id=actor.pk)


course_policy = CoursePolicy()
training_policy = TrainingPolicy()
meeting_policy = MeetingPolicy()
agreed_action_policy = AgreedActionPolicy()
champion_policy = ChampionPolicy()
self_report_policy = SelfReportPolicy()

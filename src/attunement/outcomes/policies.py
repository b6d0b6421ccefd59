"""Who may read the reports that are not about one person: the organisation's summary, the dashboard, the
sessions export, and a member of staff's reports on their own practice.

Reports about one person are actions on the person (see `learners.policies`)."""

from django.db.models import QuerySet

from attunement.learners.policies import LearnerPolicy
from attunement.organisations.models import Membership, Organisation, Role
from attunement.organisations.policies import (
    LEADERSHIP_ROLES,
    ORGANISATION_WIDE_ROLES,
    Policy,
    sees_whole_organisation,
)

from .models import TermStart


class ReportPolicy(Policy):
    """Inspectors, commissioners and funders see only the anonymised summary; leaders see it too, to know
    exactly what outsiders are shown, and everything else about the organisation as a whole. Whoever records
    sessions reads reports on their own practice."""

    actions = {
        "view_summary": ORGANISATION_WIDE_ROLES | {Role.EXTERNAL},
        "view_dashboard": ORGANISATION_WIDE_ROLES,
        "export_sessions": ORGANISATION_WIDE_ROLES,
        "read_own_practice": LearnerPolicy.actions["record_session"],
    }
    action_words = {
        "view_summary": "see the organisation summary",
        "view_dashboard": "see the dashboard",
        "export_sessions": "export the organisation's sessions",
        "read_own_practice": "read reports on their own practice",
    }

    def scope(self, actor: Membership) -> QuerySet[Organisation]:
        return Organisation.objects.filter(pk=actor.organisation_id)


report_policy = ReportPolicy()


class TermPolicy(Policy):
    """The organisation's term dates, which every "this term" counts from: leaders set them."""

    actions = {"manage": LEADERSHIP_ROLES}
    action_words = {"manage": "change the term dates"}
    outside_scope = "Those term dates are not your organisation's."

    def scope(self, actor: Membership) -> QuerySet:
        return TermStart.objects.filter(organisation_id=actor.organisation_id)


term_policy = TermPolicy()


def may_see_summary(actor) -> bool:
    return report_policy.role_may(actor, "view_summary")


OUTSIDE_AUDIENCES = {"inspectors", "commissioners", "funders"}


def may_read_pack(actor, audience: str) -> bool:
    """Leaders read every organisation pack; outside viewers only the anonymised packs made for outsiders."""
    return sees_whole_organisation(actor) or (audience in OUTSIDE_AUDIENCES and may_see_summary(actor))

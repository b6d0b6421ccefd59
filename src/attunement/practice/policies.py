from django.db.models import QuerySet

from attunement.learners.policies import learner_policy
from attunement.organisations.models import Membership, Role
from attunement.organisations.policies import LEADERSHIP_ROLES, STAFF_ROLES, Policy

from .models import Fundamental, ProgressReview, Session


class SessionPolicy(Policy):
    """A session is visible exactly when its learner is."""

    actions = {"view": STAFF_ROLES | {Role.FAMILY}}

    def scope(self, actor: Membership) -> QuerySet[Session]:
        return Session.objects.filter(learner__in=learner_policy.scope(actor).values("pk"))


class ReviewPolicy(Policy):
    actions = {"view": STAFF_ROLES | {Role.FAMILY}}

    def scope(self, actor: Membership) -> QuerySet[ProgressReview]:
        return ProgressReview.objects.filter(learner__in=learner_policy.scope(actor).values("pk"))


class FundamentalPolicy(Policy):
    """Everyone in the organisation uses the catalogue; co-ordinators and administrators shape it."""

    actions = {"view": STAFF_ROLES | {Role.FAMILY}, "manage": LEADERSHIP_ROLES}

    def scope(self, actor: Membership) -> QuerySet[Fundamental]:
        return Fundamental.objects.filter(organisation_id=actor.organisation_id)


session_policy = SessionPolicy()
review_policy = ReviewPolicy()
fundamental_policy = FundamentalPolicy()

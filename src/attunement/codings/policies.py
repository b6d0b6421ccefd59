"""Who may see and change codings and the ethogram.

A coding pass is visible exactly when its session's learner is; seeing passes and their statistics is the
learner's "view_records" action and importing or deleting is "record_session" (see learners.policies). Only
the coder deletes a pass. Everyone on the staff may read the ethogram; leaders (co-ordinators, managers and
administrators) change it.
"""

from django.db.models import QuerySet

from attunement.learners.policies import learner_policy
from attunement.organisations.models import Membership
from attunement.organisations.policies import ORGANISATION_WIDE_ROLES, STAFF_ROLES, Policy

from .models import CodingPass, EthogramCode


class EthogramPolicy(Policy):
    actions = {"view": STAFF_ROLES, "manage": ORGANISATION_WIDE_ROLES}
    action_words = {"view": "use the ethogram", "manage": "change the ethogram"}

    def scope(self, actor: Membership) -> QuerySet[EthogramCode]:
        return EthogramCode.objects.filter(organisation_id=actor.organisation_id)


class CodingPassPolicy(Policy):
    actions = {"view": STAFF_ROLES, "delete": STAFF_ROLES}
    action_words = {"view": "see codings", "delete": "delete codings"}
    outside_scope = "You cannot see this coding."

    def scope(self, actor: Membership) -> QuerySet[CodingPass]:
        return CodingPass.objects.filter(
            complete=True,
            session__learner__in=learner_policy.scope(actor).values("pk"),
            session__withdrawn_at__isnull=True,  # a withdrawn session takes its codings with it
        )

    def allows(self, actor, action, obj) -> bool:
        if action == "delete" and (actor is None or obj.coder_id != actor.user_id):
            return False
        learner = obj.session.learner
        needed = "record_session" if action == "delete" else "view_records"
        return super().allows(actor, action, obj) and learner_policy.allows(actor, needed, learner)


ethogram_policy = EthogramPolicy()
coding_pass_policy = CodingPassPolicy()

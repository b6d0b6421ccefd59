"""Who may see and change consent records and retention.

Actions on one person (viewing consent, recording it, legal holds, export, erasure) are in
`LearnerPolicy.actions` (see `learners.policies.PRIVACY_ACTIONS`), so they share its scope: a person in another
organisation, or one a practitioner is not assigned to, is simply not there (404).
"""

from django.db.models import QuerySet

from attunement.learners.policies import PRIVACY_ACTION_WORDS, PRIVACY_ACTIONS, learner_policy
from attunement.organisations.models import Membership
from attunement.organisations.policies import LEADERSHIP_ROLES, Policy

from .models import Consent, RetentionSettings


class ConsentPolicy(Policy):
    """A consent is visible exactly when its person is."""

    actions = {"view": PRIVACY_ACTIONS["view_consents"], "withdraw": PRIVACY_ACTIONS["withdraw_consent"]}
    action_words = {"view": PRIVACY_ACTION_WORDS["view_consents"], "withdraw": PRIVACY_ACTION_WORDS["withdraw_consent"]}
    outside_scope = "You are not assigned to this person."

    def scope(self, actor: Membership) -> QuerySet[Consent]:
        return Consent.objects.filter(learner__in=learner_policy.scope(actor).values("pk"))


class RetentionPolicy(Policy):
    """Retention is set for the whole organisation by its co-ordinators and administrators."""

    actions = {"view": LEADERSHIP_ROLES, "manage": LEADERSHIP_ROLES}
    action_words = {"view": "see how long records are kept", "manage": "change how long records are kept"}

    def scope(self, actor: Membership) -> QuerySet[RetentionSettings]:
        return RetentionSettings.objects.filter(organisation_id=actor.organisation_id)


consent_policy = ConsentPolicy()
retention_policy = RetentionPolicy()

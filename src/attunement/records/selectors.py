"""What the retention page reads: the next run's dry run and the runs so far, for the actor's organisation."""

from datetime import date

from django.db.models import QuerySet

from attunement.organisations.models import Membership
from attunement.privacy.models import RetentionRun
from attunement.privacy.policies import retention_policy

from .retention import OrganisationPlan, plan_for


def retention_report(*, actor: Membership, today: date | None = None) -> OrganisationPlan:
    """The dry run for the actor's own organisation: what the next retention run would delete."""
    retention_policy.require(actor, "view")
    return plan_for(actor.organisation, today=today)


def retention_runs(*, actor: Membership, limit: int = 10) -> QuerySet[RetentionRun]:
    if not retention_policy.role_may(actor, "view"):
        return RetentionRun.objects.none()
    return RetentionRun.objects.filter(organisation_id=actor.organisation_id)[:limit]

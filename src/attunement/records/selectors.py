"""What the retention page reads: the next run's dry run and the runs so far, for the actor's organisation."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from attunement.organisations.models import Membership
from attunement.privacy.models import RetentionRun
from attunement.privacy.policies import retention_policy

from .retention import OrganisationPlan, plan_for


def retention_report(*, actor: Membership, today: date | None = None) -> OrganisationPlan:
    """The dry run for the actor's own organisation: what the next retention run would delete."""
    if not retention_policy.role_may(actor, "view"):
        raise PermissionDenied("Only co-ordinators and administrators can see the retention settings.")
    return plan_for(actor.organisation, today=today)


def retention_runs(*, actor: Membership, limit: int = 10) -> QuerySet[RetentionRun]:
    if not retention_policy.role_may(actor, "view"):
        return RetentionRun.objects.none()
    return RetentionRun.objects.filter(organisation_id=actor.organisation_id)[:limit]

"""What the retention page reads: the next run's dry run and the runs so far, for the actor's organisation."""

from datetime import date

from django.db.models import QuerySet

from attunement.learners.models import Learner
from attunement.organisations.models import Membership, Organisation
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


def audit_trail_people(organisation: Organisation) -> QuerySet[Learner]:
    """Every person of the organisation, by name, for narrowing its audit trail: those who have left too, since
    their entries stay in the trail (reached only through the audit trail's policy)."""
    return Learner.objects.filter(organisation=organisation).order_by("first_name", "last_name")


def names_of_people(*, actor: Membership, ids) -> dict[int, str]:
    """Full names of the actor's organisation's people with these record numbers (all of them when `ids` is
    None), for the audit trail, which names people whoever may see them now."""
    people = Learner.objects.filter(organisation_id=actor.organisation_id)
    if ids is not None:
        people = people.filter(pk__in=[i for i in ids if i])
    return {person.pk: person.full_name for person in people.only("first_name", "last_name", "preferred_name")}

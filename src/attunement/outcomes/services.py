"""The outcomes app's writes: the organisation's term dates."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from attunement.organisations.audit import audit_record
from attunement.organisations.models import Membership

from .models import TermStart
from .policies import term_policy


@transaction.atomic
def term_start_add(*, actor: Membership, starts_on: date | None, name: str = "") -> TermStart:
    """Add the day a term begins. Every "this term" of the organisation counts from these from now on."""
    term_policy.require(actor, "manage")
    if starts_on is None:
        raise ValidationError({"starts_on": "Please give the day the term starts."})
    if not date(2000, 1, 1) <= starts_on <= date(2100, 12, 31):
        raise ValidationError({"starts_on": "Please give a date between the years 2000 and 2100."})
    if term_policy.scope(actor).filter(starts_on=starts_on).exists():
        raise ValidationError({"starts_on": f"A term already starts on {starts_on:%-d %B %Y}."})
    term = TermStart.objects.create(organisation_id=actor.organisation_id, starts_on=starts_on, name=name.strip())
    audit_record(actor=actor, action="term_start.added", target=term)
    return term


@transaction.atomic
def term_start_remove(*, actor: Membership, term: TermStart) -> None:
    """Remove a term start date: the term before it then runs on to the next one."""
    term_policy.require(actor, "manage", term)
    audit_record(
        actor=actor, action="term_start.removed", target=term, detail={"starts_on": term.starts_on.isoformat()}
    )
    term.delete()

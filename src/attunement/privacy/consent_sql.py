"""The consent rule of `consent_rules.allows` as a database expression, so a list or a count can filter on
consent in the same query that finds its rows, for any number of people.

`consent_rules` stays the specification; `tests/privacy/test_consent_sql.py` checks that the two agree on
generated consent histories.
"""

from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from . import consent_rules
from .consent_rules import Status
from .models import Consent, Purpose


def consent_in_force(purpose: str, on: date | None = None, *, learner: str = "pk") -> Exists:
    """True for rows whose person has consent for `purpose` on `on` (today by default).

    `learner` is the path from the filtered model to the person: "pk" for people themselves,
    "session__learner" for videos, "video__session__learner" for clips.

    The consent that counts is the latest started one (by start date, then by when it was recorded); it allows
    the purpose unless it was withdrawn by `on` or its review is more than the grace period overdue.
    """
    if purpose not in Purpose.values:
        raise ValueError(f"Unknown consent purpose {purpose!r}")
    on = on or timezone.localdate()
    started = Consent.objects.filter(purpose=purpose, starts_on__lte=on)
    # Allowing while `on` is before expires_on(record) = review_on + grace + 1 day, i.e. review_on >= on - grace.
    last_allowed_review = on - timedelta(days=consent_rules.REVIEW_GRACE_DAYS)
    governing_and_allowing = (
        started.filter(learner=OuterRef(learner), review_on__gte=last_allowed_review)
        .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on))
        .filter(~Exists(_replaced_by_later(purpose, on)))
    )
    return Exists(governing_and_allowing)


def _replaced_by_later(purpose, on: date):
    """Consents that replace the outer one on `on`: the same person and purpose, started by then, and started
    later, or the same day and recorded later (consent_rules.governing)."""
    return Consent.objects.filter(purpose=purpose, starts_on__lte=on, learner=OuterRef("learner")).filter(
        Q(starts_on__gt=OuterRef("starts_on")) | Q(starts_on=OuterRef("starts_on"), pk__gt=OuterRef("pk"))
    )


def governing_with_status(consents: QuerySet[Consent], status: Status, on: date) -> QuerySet[Consent]:
    """Of `consents`, those that count for their person and purpose on `on` and whose own status then is
    `status`: "review due" (past the review date, within the grace period) or "expired" (past it), as
    consent_rules.governing and own_status decide; withdrawn, replaced and not yet started ones are left out."""
    last_allowed_review = on - timedelta(days=consent_rules.REVIEW_GRACE_DAYS)
    counting = (
        consents.filter(starts_on__lte=on)
        .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on))
        .filter(~Exists(_replaced_by_later(OuterRef("purpose"), on)))
    )
    if status == Status.REVIEW_DUE:
        return counting.filter(review_on__lte=on, review_on__gte=last_allowed_review)
    if status == Status.EXPIRED:
        return counting.filter(review_on__lt=last_allowed_review)
    raise ValueError(f"Only review due and expired consents are looked for, not {status!r}")

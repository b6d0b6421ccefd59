"""Every read of consent and legal holds.

`consent_allows` is the one question other code asks before it records, shows, shares or analyses
anything about a person for a purpose. It answers about the person given; the caller has already
fetched that person through the actor's scope. Lists and counts of many people or records ask the same
question inside their own query, with `consent_sql.consent_in_force`.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from attunement.learners.models import Learner
from attunement.learners.selectors import learners_visible_to
from attunement.organisations.models import Membership

from . import consent_rules
from .consent_rules import STATUS_LABELS, Status
from .consent_sql import governing_with_status
from .models import Consent, LegalHold, Purpose
from .policies import consent_policy


def consent_allows(learner: Learner, purpose: str, on: date | None = None) -> bool:
    """Whether `learner` has consent for `purpose` on `on` (today by default).

    True when the latest consent for the purpose that has started by then was not withdrawn by then and
    is no more than `consent_rules.REVIEW_GRACE_DAYS` days past its review date. A consent whose review
    date has passed is still valid, but shown as "review due", until the grace period ends.
    """
    if purpose not in Purpose.values:
        raise ValueError(f"Unknown consent purpose {purpose!r}")
    on = on or timezone.localdate()
    records = Consent.objects.filter(learner=learner, purpose=purpose, starts_on__lte=on).only(
        "pk", "starts_on", "review_on", "withdrawn_on"
    )
    return consent_rules.allows(records, on)


@dataclass
class PurposeStatus:
    purpose: str
    label: str
    status: Status | None
    status_label: str
    allows: bool
    consent: Consent | None


@dataclass
class ConsentRow:
    consent: Consent
    status: Status
    status_label: str
    may_withdraw: bool


def consent_status(learner: Learner, on: date | None = None) -> list[PurposeStatus]:
    """For each purpose: whether it is allowed today, and the consent that decides it (for display)."""
    on = on or timezone.localdate()
    by_purpose: dict[str, list[Consent]] = {code: [] for code in Purpose.values}
    for consent in Consent.objects.filter(learner=learner):
        by_purpose[consent.purpose].append(consent)
    result = []
    for code, label in Purpose.choices:
        winner = consent_rules.governing(by_purpose[code], on)
        status = consent_rules.own_status(winner, on) if winner is not None else None
        result.append(
            PurposeStatus(
                purpose=code,
                label=label,
                status=status,
                status_label=STATUS_LABELS[status] if status else "No consent recorded",
                allows=status in consent_rules.ALLOWING,
                consent=winner,
            )
        )
    return result


def consent_history(*, actor: Membership, learner: Learner, on: date | None = None) -> list[ConsentRow]:
    """Every consent recorded for the person, newest first within each purpose, with its status."""
    on = on or timezone.localdate()
    consents = list(
        consent_policy.scope(actor)
        .filter(learner=learner)
        .select_related("recorded_by", "withdrawn_recorded_by")
        .order_by("purpose", "-starts_on", "-pk")
    )
    by_purpose: dict[str, list[Consent]] = {}
    for consent in consents:
        by_purpose.setdefault(consent.purpose, []).append(consent)
    may_withdraw = consent_policy.role_may(actor, "withdraw")
    rows = []
    for consent in consents:
        status = consent_rules.status_of(consent, by_purpose[consent.purpose], on)
        rows.append(
            ConsentRow(
                consent=consent,
                status=status,
                status_label=STATUS_LABELS[status],
                may_withdraw=may_withdraw and status not in (Status.WITHDRAWN, Status.REPLACED),
            )
        )
    return rows


def consent_get(*, actor: Membership, learner: Learner, consent_id: int) -> Consent:
    """Raises Consent.DoesNotExist (shown as 404) unless the actor may see this person's consent."""
    return consent_policy.scope(actor).select_related("learner").get(learner=learner, pk=consent_id)


def current_hold(learner: Learner) -> LegalHold | None:
    return learner.legal_holds.filter(lifted_at__isnull=True).select_related("placed_by").first()


def holds_of(*, actor: Membership, learner: Learner) -> QuerySet[LegalHold]:
    if not learners_visible_to(actor).filter(pk=learner.pk).exists():
        return LegalHold.objects.none()
    return learner.legal_holds.select_related("placed_by", "lifted_by")


@dataclass
class ConsentAlert:
    """One person whose consents need a co-ordinator: each one whose review is due, or which has expired."""

    learner: Learner
    consents: list[Consent]


def consents_needing_attention(*, actor: Membership, learners=None, on: date | None = None, shown: int | None = None):
    """The people (of `learners`, or all the actor sees) whose consent for a purpose is, on `on`, "review due"
    (past its review date, still allowing) or "expired" (past the grace period: it allows nothing). Only the
    consent that counts for each purpose is looked at, as `consent_status` does: a consent replaced by a newer
    one, or withdrawn, is not an alert. Decided and counted in the database, so the cost does not grow with the
    number of consents. Returns, for "review_due" and "expired": the first `shown` people's ConsentAlert by name
    (everyone when `shown` is None; each alert's consents carry ``status`` and ``expires_on``), how many people
    ("review_due_people") and how many consents ("review_due_consents")."""
    on = on or timezone.localdate()
    result = first_consent_alerts(actor=actor, learners=learners, on=on, shown=shown)
    for status, key in ALERT_STATUSES:
        people = people_with_consent_alert(actor=actor, status=status, learners=learners, on=on)
        result[f"{key}_people"] = people.count()
        result[f"{key}_consents"] = consent_count(actor=actor, status=status, learners=learners, on=on)
    return result


ALERT_STATUSES = ((Status.REVIEW_DUE, "review_due"), (Status.EXPIRED, "expired"))


def first_consent_alerts(*, actor: Membership, learners=None, on: date | None = None, shown: int | None = None):
    """For "review_due" and "expired": the first `shown` people's ConsentAlert by name (everyone when `shown` is
    None), without counting the rest (see consents_needing_attention for the counts)."""
    on = on or timezone.localdate()
    result = {}
    for status, key in ALERT_STATUSES:
        people = people_with_consent_alert(actor=actor, status=status, learners=learners, on=on)
        result[key] = consent_alerts_of(list(people if shown is None else people[:shown]), status=status, on=on)
    return result


def consent_count(*, actor: Membership, status: Status, learners=None, on: date | None = None) -> int:
    """How many consents (of `learners`, or all the actor sees) are in `status` on `on`: review due or expired."""
    return _alerting_consents(actor, status, learners, on or timezone.localdate()).count()


def _alerting_consents(actor: Membership, status: Status, learners, on: date) -> QuerySet[Consent]:
    consents = consent_policy.scope(actor)
    if learners is not None:
        consents = consents.filter(learner__in=learners)
    return governing_with_status(consents, status, on)


def people_with_consent_alert(
    *, actor: Membership, status: Status, learners=None, on: date | None = None, count_consents: bool = False
):
    """The people (of `learners`, or all the actor sees) with a consent in `status` (review due or expired) on
    `on`, by the name they are known by, as a query: count it or take a page of it. With `count_consents`, each
    person carries `alerting_consents`: how many of their consents are in `status` (together, consent_count)."""
    on = on or timezone.localdate()
    # The people with a consent in `status` among those the actor may see (so only people the actor sees are
    # found): the database picks out those consents once, by their dates, rather than looking through each
    # person's consents in turn, and keeps the people looked at who are among them.
    alerting = governing_with_status(consent_policy.scope(actor), status, on)
    if learners is None:
        learners = learners_visible_to(actor)
    elif not isinstance(learners, QuerySet):
        learners = learners_visible_to(actor).filter(pk__in=[getattr(person, "pk", person) for person in learners])
    people = learners.filter(pk__in=alerting.values("learner_id"))
    if count_consents:
        # each person's own, looked up only for the people found
        counted = alerting.filter(learner=OuterRef("pk")).order_by().values("learner").annotate(n=Count("pk"))
        counted = counted.values("n")
        people = people.annotate(alerting_consents=Subquery(counted, output_field=IntegerField()))
    return people.order_by(Coalesce(NullIf("preferred_name", Value("")), "first_name"), "last_name", "pk")


def consent_alerts_of(people: list[Learner], *, status: Status, on: date) -> list[ConsentAlert]:
    """For these people (in this order), each one's consents in `status` on `on`, by purpose."""
    if not people:
        return []
    consents = governing_with_status(Consent.objects.filter(learner__in=people), status, on).order_by("purpose")
    by_person: dict[int, list[Consent]] = {}
    for consent in consents:
        consent.status = status
        consent.expires_on = consent_rules.expires_on(consent)
        by_person.setdefault(consent.learner_id, []).append(consent)
    return [ConsentAlert(learner=person, consents=by_person.get(person.pk, [])) for person in people]

"""Which records have passed their retention period: worked out the same way for the dry-run report
and for the run that deletes them, so what is deleted is exactly what the report listed.

When a person left: the day recorded when they were marked as no longer supported (`Learner.left_on`). For
people marked before that day was recorded, it is taken as the latest of their last session, their last
progress review and the last change to their details, which can only be later than the true day, so
records are never deleted early.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings as django_settings
from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.utils import timezone

from attunement.accounts.models import SecurityEvent
from attunement.learners.models import PROFILE_SECTIONS, CommunicationProfile, Learner, Plan
from attunement.organisations.models import AuditEntry, Organisation
from attunement.practice.models import HomeObservation, ProgressReview, Session
from attunement.privacy.dates import add_years
from attunement.privacy.models import RECORD_TYPE_LABELS, RECORD_TYPES, LegalHold, RetentionSettings

ADULT_RECORDS_AGE = 25  # a child's records are kept at least until their 25th birthday


def settings_for(organisation: Organisation) -> RetentionSettings:
    """The organisation's settings, or the defaults (not saved) if it has never changed them."""
    try:
        return RetentionSettings.objects.get(organisation=organisation)
    except RetentionSettings.DoesNotExist:
        return RetentionSettings(organisation=organisation)


@dataclass
class PersonDue:
    learner_id: int
    name: str
    left_on: date
    whole: bool
    kinds: list[str] = field(default_factory=list)

    def described(self) -> str:
        if self.whole:
            return "Everything about them"
        return ", ".join(RECORD_TYPE_LABELS[kind] for kind in self.kinds)


@dataclass
class OrganisationPlan:
    organisation: Organisation
    settings: RetentionSettings
    today: date
    people: list[PersonDue] = field(default_factory=list)
    held: int = 0
    audit_before: datetime | None = None

    def ids(self, kind: str) -> list[int]:
        """People whose records of this kind are due (a person due as a whole counts for every kind)."""
        return [p.learner_id for p in self.people if p.whole or kind in p.kinds]

    def whole_people(self) -> list[int]:
        return [p.learner_id for p in self.people if p.whole]

    def held_ids(self) -> QuerySet:
        return LegalHold.objects.filter(learner__organisation=self.organisation, lifted_at__isnull=True).values_list(
            "learner_id", flat=True
        )

    # The records each kind would delete ------------------------------------------------------------
    def sessions(self) -> QuerySet[Session]:
        return Session.every_record.filter(learner_id__in=self.ids("sessions"))

    def home_observations(self) -> QuerySet[HomeObservation]:
        """Notes from home are kept exactly as long as sessions."""
        return HomeObservation.objects.filter(learner_id__in=self.ids("sessions"))

    def reviews(self) -> QuerySet[ProgressReview]:
        return ProgressReview.every_record.filter(learner_id__in=self.ids("reviews"))

    def plans(self) -> QuerySet[Plan]:
        return Plan.objects.filter(learner_id__in=self.ids("plans"))

    def profiles(self) -> QuerySet[CommunicationProfile]:
        empty = {name: "" for name, _, _ in PROFILE_SECTIONS}
        return CommunicationProfile.objects.filter(learner_id__in=self.ids("profiles")).exclude(**empty)

    def audit_entries(self) -> QuerySet[AuditEntry]:
        return AuditEntry.objects.filter(organisation=self.organisation, at__lt=self.audit_before).exclude(
            learner_id__in=self.held_ids()
        )

    def counts(self) -> dict[str, int]:
        return {
            "person": len(self.whole_people()),
            "sessions": self.sessions().count() + self.home_observations().count(),
            "reviews": self.reviews().count(),
            "profiles": self.profiles().count(),
            "plans": self.plans().count(),
            "audit": self.audit_entries().count(),
        }

    def rows(self) -> list[dict]:
        counts = self.counts()
        years = {
            "person": self.settings.person_years,
            "sessions": self.settings.sessions_years,
            "reviews": self.settings.reviews_years,
            "profiles": self.settings.profile_years,
            "plans": self.settings.plans_years,
            "audit": self.settings.audit_years,
        }
        return [
            {"kind": kind, "label": RECORD_TYPE_LABELS[kind], "years": years[kind], "count": counts[kind]}
            for kind in RECORD_TYPES
        ]


def left_on(learner: Learner) -> date:
    """When an inactive person left: the recorded day, or else as far as the records show (the latest of
    their last change, last session and last review, which can only delay deletion)."""
    if learner.left_on:
        return learner.left_on
    days = [timezone.localdate(learner.updated_at)]
    if getattr(learner, "last_session", None):
        days.append(timezone.localdate(learner.last_session))
    if getattr(learner, "last_review", None):
        days.append(learner.last_review)
    return max(days)


def plan_for(organisation: Organisation, *, today: date | None = None) -> OrganisationPlan:
    today = today or timezone.localdate()
    settings = settings_for(organisation)
    plan = OrganisationPlan(organisation=organisation, settings=settings, today=today)
    held = set(plan.held_ids())
    plan.held = len(held)
    leavers = (
        Learner.objects.filter(organisation=organisation, is_active=False)
        .exclude(pk__in=held)
        .annotate(
            last_session=Subquery(
                Session.every_record.filter(learner=OuterRef("pk"))
                .values("learner")
                .annotate(m=Max("started_at"))
                .values("m")[:1]
            ),
            last_review=Subquery(
                ProgressReview.every_record.filter(learner=OuterRef("pk"))
                .values("learner")
                .annotate(m=Max("reviewed_on"))
                .values("m")[:1]
            ),
        )
        .order_by("pk")
    )
    periods = {
        "sessions": settings.sessions_years,
        "reviews": settings.reviews_years,
        "profiles": settings.profile_years,
        "plans": settings.plans_years,
    }
    for learner in leavers:
        left = left_on(learner)
        if learner.date_of_birth and today < add_years(learner.date_of_birth, ADULT_RECORDS_AGE):
            continue  # nothing about a child goes before their 25th birthday
        whole = today >= add_years(left, settings.person_years)
        kinds = [kind for kind, years in periods.items() if today >= add_years(left, years)]
        if whole or kinds:
            plan.people.append(
                PersonDue(learner_id=learner.pk, name=learner.full_name, left_on=left, whole=whole, kinds=kinds)
            )
    cutoff = add_years(today, -settings.audit_years)
    plan.audit_before = timezone.make_aware(datetime.combine(cutoff, time.min))
    return plan


def plans_for_all(*, today: date | None = None) -> list[OrganisationPlan]:
    return [plan_for(organisation, today=today) for organisation in Organisation.objects.order_by("name", "pk")]


def security_events_due(*, today: date | None = None) -> QuerySet:
    """Security-log entries older than SECURITY_LOG_RETENTION_DAYS (the log covers every organisation at once)."""
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=django_settings.SECURITY_LOG_RETENTION_DAYS)
    return SecurityEvent.objects.filter(at__lt=timezone.make_aware(datetime.combine(cutoff, time.min)))


def security_log_prune(*, today: date | None = None, batch: int = 1000) -> int:
    """Delete the security-log entries that are due, a batch at a time so no write is held for long."""
    deleted = 0
    while ids := list(security_events_due(today=today).values_list("pk", flat=True)[:batch]):
        deleted += security_events_due(today=today).filter(pk__in=ids).delete()[0]
    return deleted

"""Consent, legal holds and retention settings.

A consent is never edited away: withdrawing it fills in the withdrawal, and a new consent is a new
record that replaces the one before it for the same purpose. So the whole history stays readable.
"""

from django.conf import settings
from django.db import models

from attunement.learners.models import Learner
from attunement.organisations.models import Organisation


class Purpose(models.TextChoices):
    VIDEO = "video", "Video recording"
    TRAINING = "training", "Sharing clips for staff training"
    FAMILY = "family", "Sharing with family"
    REPORTS = "reports", "Use in anonymised reports"
    RESEARCH = "research", "Research"


class GivenBy(models.TextChoices):
    PERSON = "person", "The person themselves"
    PARENT = "parent", "A parent or guardian"
    BEST_INTERESTS = "best_interests", "A best-interests decision (Mental Capacity Act 2005)"


class Consent(models.Model):
    """Agreement to one purpose, for one person, from a start date until it is reviewed or withdrawn."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    given_by = models.CharField(max_length=20, choices=GivenBy.choices)
    giver_name = models.CharField(
        max_length=120, blank=True, help_text="The parent's or guardian's name, or the decision-maker's name."
    )
    decision_maker_role = models.CharField(max_length=120, blank=True)
    note = models.CharField(max_length=500, blank=True)
    starts_on = models.DateField()
    review_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawn_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_recorded_at = models.DateTimeField(null=True, blank=True)
    withdrawal_note = models.CharField(max_length=500, blank=True)
    media_checked_at = models.DateTimeField(
        null=True, blank=True, help_text="When the clean-up after withdrawal last looked for this person's media."
    )
    media_items_removed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["purpose", "-starts_on", "-pk"]
        indexes = [models.Index(fields=["learner", "purpose", "-starts_on"])]

    def __str__(self):
        return f"{self.get_purpose_display()} from {self.starts_on:%d %b %Y}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_on is not None


class LegalHold(models.Model):
    """While a hold is on, nothing about the person is deleted: not by retention, not by erasure."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="legal_holds")
    reason = models.CharField(max_length=500)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    placed_at = models.DateTimeField(auto_now_add=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-placed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner"], condition=models.Q(lifted_at__isnull=True), name="one_current_hold_per_person"
            )
        ]

    def __str__(self):
        return f"Legal hold on {self.learner} from {self.placed_at:%d %b %Y}"

    @property
    def is_current(self) -> bool:
        return self.lifted_at is None


# Years each kind of record is kept. Person-level records count from the day the person left.
RETENTION_DEFAULTS = {
    "sessions_years": 6,
    "reviews_years": 8,
    "profile_years": 8,
    "plans_years": 8,
    "person_years": 8,
    "audit_years": 8,
}
RETENTION_LABELS = {
    "sessions_years": "Sessions and notes from home",
    "reviews_years": "Progress reviews",
    "profile_years": "Communication profiles",
    "plans_years": "Plans and outcomes",
    "person_years": "The person as a whole",
    "audit_years": "Audit entries",
}

RECORD_TYPES = ("person", "sessions", "reviews", "profiles", "plans", "audit")
RECORD_TYPE_LABELS = {
    "person": "People (everything about them)",
    "sessions": RETENTION_LABELS["sessions_years"],
    "reviews": RETENTION_LABELS["reviews_years"],
    "profiles": RETENTION_LABELS["profile_years"],
    "plans": RETENTION_LABELS["plans_years"],
    "audit": RETENTION_LABELS["audit_years"],
}


class RetentionSettings(models.Model):
    """How long an organisation keeps each kind of record. Made with the defaults the first time it is read."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="retention")
    sessions_years = models.PositiveSmallIntegerField(
        default=RETENTION_DEFAULTS["sessions_years"], help_text="Years after the person leaves."
    )
    reviews_years = models.PositiveSmallIntegerField(
        default=RETENTION_DEFAULTS["reviews_years"], help_text="Years after the person leaves."
    )
    profile_years = models.PositiveSmallIntegerField(
        default=RETENTION_DEFAULTS["profile_years"], help_text="Years after the person leaves."
    )
    plans_years = models.PositiveSmallIntegerField(
        default=RETENTION_DEFAULTS["plans_years"], help_text="Years after the person leaves."
    )
    person_years = models.PositiveSmallIntegerField(
        default=RETENTION_DEFAULTS["person_years"],
        help_text="Years after the person leaves. Nothing about a child goes before their 25th birthday.",
    )
    audit_years = models.PositiveSmallIntegerField(
        default=RETENTION_DEFAULTS["audit_years"], help_text="Years after each entry was written."
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "retention settings"

    def __str__(self):
        return f"Retention settings of {self.organisation}"


class RetentionRun(models.Model):
    """What one run of the retention rules found (dry run) or deleted (applied), for one organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    ran_at = models.DateTimeField(auto_now_add=True)
    applied = models.BooleanField(default=False)
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-ran_at", "-pk"]

    def __str__(self):
        return f"Retention {'applied' if self.applied else 'dry run'} for {self.organisation} at {self.ran_at}"

    def described(self) -> str:
        found = [f"{RECORD_TYPE_LABELS[k].lower()}: {self.counts[k]}" for k in RECORD_TYPES if self.counts.get(k)]
        return ", ".join(found) or "nothing"

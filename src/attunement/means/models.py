"""The means to good Intensive Interaction, recorded: training, supervision and mentoring, champions, and how
staff feel about the work (their own monthly self-report, only ever shown to others in aggregate).

Every record belongs to one organisation, and every member of staff is a `Membership`: a user acting in one
organisation, so nothing here is ever shared between organisations.
"""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models

from attunement.catalogue.models import CatalogueEntry
from attunement.organisations.models import Membership, Organisation, Site

# --- Training -------------------------------------------------------------------------------------------


class Course(CatalogueEntry):
    """One kind of training in an organisation's catalogue. Retired, never deleted, so past records keep it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="courses")
    refresh_months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="How often it must be done again, in months. Blank: once is enough."
    )
    required = models.BooleanField(default=False, help_text="Every member of staff must have done it.")

    class Meta(CatalogueEntry.Meta):
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="unique_course_name")]


def certificate_path(instance, filename: str) -> str:
    """A name nobody can guess or derive from the person, the course or the original file name."""
    suffix = PurePosixPath(filename).suffix.lower()
    return f"training-certificates/{instance.organisation_id}/{uuid.uuid4().hex}{suffix}"


class TrainingCompletion(models.Model):
    """A member of staff finished a course on a date. The refresher date is worked out from the course."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    staff = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="training_completions")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="completions")
    completed_on = models.DateField()
    provider = models.CharField(max_length=200)
    certificate = models.FileField(upload_to=certificate_path, blank=True)
    certificate_type = models.CharField(max_length=40, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-completed_on", "-pk"]
        indexes = [models.Index(fields=["organisation", "staff", "course", "-completed_on"])]

    def __str__(self):
        return f"{self.course} — {self.completed_on:%d %b %Y}"


# --- Supervision and mentoring --------------------------------------------------------------------------


class MeetingKind(models.TextChoices):
    SUPERVISION = "supervision", "Supervision"
    MENTORING = "mentoring", "Mentoring"
    VIDEO_REFLECTION = "video_reflection", "Video reflection"


class SupervisionMeeting(models.Model):
    """A supervision or mentoring meeting between two members of staff."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=MeetingKind.choices, default=MeetingKind.SUPERVISION)
    supervisor = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="meetings_led")
    supervisee = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="meetings_attended")
    met_on = models.DateField()
    sessions = models.ManyToManyField("practice.Session", blank=True, related_name="supervision_meetings")
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-met_on", "-pk"]
        indexes = [models.Index(fields=["organisation", "-met_on"])]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.met_on:%d %b %Y}"


class AgreedAction(models.Model):
    """Something agreed at a meeting, for the supervisor or the supervisee to do by a date."""

    meeting = models.ForeignKey(SupervisionMeeting, on_delete=models.CASCADE, related_name="actions")
    text = models.CharField(max_length=300)
    owner = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="agreed_actions")
    due_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.text

    @property
    def is_done(self) -> bool:
        return self.done_on is not None


# --- Champions and co-ordinators ------------------------------------------------------------------------


class ChampionKind(models.TextChoices):
    CHAMPION = "champion", "Intensive Interaction champion"
    COORDINATOR = "coordinator", "Intensive Interaction co-ordinator"


class Champion(models.Model):
    """Who champions Intensive Interaction at a site, or across the organisation when `site` is empty.
    Standing down fills in `ended_on`; the row stays as a record of who it was."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    staff = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="championships")
    kind = models.CharField(max_length=20, choices=ChampionKind.choices, default=ChampionKind.CHAMPION)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["site__name", "kind", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.staff.user}"


# --- Staff self-report ----------------------------------------------------------------------------------


class SelfReport(models.Model):
    """One member of staff's own answers for one calendar month (1 = not at all, 5 = very much).

    Only the member sees their own answers. Anyone else sees averages over at least five people.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    staff = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="self_reports")
    month = models.DateField(help_text="The first day of the month the answers are for.")
    confidence = models.PositiveSmallIntegerField()
    fulfilment = models.PositiveSmallIntegerField()
    burnout = models.PositiveSmallIntegerField()
    support = models.PositiveSmallIntegerField()
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["staff", "month"], name="one_self_report_a_month")]
        indexes = [models.Index(fields=["organisation", "month"])]

    def __str__(self):
        return f"Self-report for {self.month:%B %Y}"

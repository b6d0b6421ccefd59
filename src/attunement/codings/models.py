"""Coding of sessions: the organisation's ethogram (the codes staff may use) and coding passes (one
observer's coding of one session's video, imported from BORIS, ELAN or CSV, or entered here).

Events keep their code key as plain text, so renaming or retiring a code never changes a past coding.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from attunement.catalogue.models import CatalogueEntry
from attunement.organisations.models import Organisation
from attunement.practice.models import Session
from attunement.reflection.models import SessionVideo


class Subject(models.TextChoices):
    LEARNER = "learner", "The learner"
    PARTNER = "partner", "The partner"


class Kind(models.TextChoices):
    POINT = "point", "A moment (point)"
    STATE = "state", "Lasts a while (state)"


class Source(models.TextChoices):
    BORIS = "boris", "imported BORIS"
    ELAN = "elan", "imported ELAN"
    CSV = "csv", "imported CSV"
    ENTERED = "entered", "entered"


class EthogramCode(CatalogueEntry):
    """One behaviour staff may code. Renamed or retired, never deleted; the key never changes."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="ethogram_codes")
    key = models.CharField(max_length=40)
    name = models.CharField(max_length=120)
    subject = models.CharField(max_length=10, choices=Subject.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.POINT)
    shortcut = models.CharField(max_length=1, blank=True)
    # Pick-lists of modifier values, as BORIS has them: [{"name", "values": [...], "multiple", "description"}].
    modifier_sets = models.JSONField(default=list, blank=True)

    class Meta(CatalogueEntry.Meta):
        db_table = "reflection_ethogramcode"  # the table keeps the name it had before codings had their own app
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], name="unique_ethogram_code_key"),
            models.UniqueConstraint(
                fields=["organisation", "shortcut"],
                condition=Q(retired_at__isnull=True) & ~Q(shortcut=""),
                name="unique_ethogram_shortcut_in_use",
            ),
        ]

    def __str__(self):
        return f"{self.key} ({self.name})"


class CodingPass(models.Model):
    """One observer's coding of one session."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="coding_passes")
    coder = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=200)
    source = models.CharField(max_length=10, choices=Source.choices)
    media_duration = models.FloatField(null=True, blank=True, help_text="Seconds of video coded, when known.")
    video = models.ForeignKey(
        SessionVideo, null=True, blank=True, on_delete=models.SET_NULL, related_name="coding_passes"
    )
    # False while a large import is still being written batch by batch: nobody sees a pass with part of its events.
    complete = models.BooleanField(default=True)
    # What the imported file held besides its events (whole ethogram, media names, ELAN tier hierarchy and
    # vocabularies, BORIS project settings), to write it back on export: see attunement.coding.exchange.
    exchange = models.JSONField(default=dict, blank=True)
    # Which of the coding's subjects (BORIS subjects, ELAN participants) are the learner and the partner, once
    # someone has said so (`turns_chosen`), for counting turns; "" is the events with no subject.
    turns_chosen = models.BooleanField(default=False, db_default=False)
    learner_subject = models.CharField(max_length=200, blank=True, default="", db_default="")
    partner_subject = models.CharField(max_length=200, blank=True, default="", db_default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "reflection_codingpass"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title

    @property
    def saved_turn_subjects(self) -> tuple[str | None, str | None]:
        """The subjects remembered as the learner and the partner, or (None, None) when nobody has said."""
        return (self.learner_subject, self.partner_subject) if self.turns_chosen else (None, None)

    @property
    def length(self) -> float:
        return self.end - self.start


class CodingEvent(models.Model):
    """One coded event: a moment at `time`, or a state from `time` to `end` (seconds from the video start)."""

    coding_pass = models.ForeignKey(CodingPass, on_delete=models.CASCADE, related_name="events")
    time = models.FloatField()
    end = models.FloatField(null=True, blank=True)
    code = models.CharField(max_length=200)
    subject = models.CharField(max_length=200, blank=True)
    modifiers = models.TextField(blank=True, help_text="Modifier values joined with '|', as BORIS writes them.")
    comment = models.TextField(blank=True)

    class Meta:
        db_table = "reflection_codingevent"
        ordering = ["time", "pk"]
        indexes = [models.Index(fields=["coding_pass", "time"], name="reflection__coding__809ba8_idx")]

    def __str__(self):
        return f"{self.code} at {self.time} s"

from django.conf import settings
from django.db import models
from django.utils import timezone

from attunement.catalogue.models import CatalogueEntry
from attunement.learners.models import Learner, PlanOutcome
from attunement.organisations.models import Organisation

from .vocabulary import Area, Ending, Enjoyment, Novelty, Rates


class Fundamental(CatalogueEntry):
    """One of an organisation's Fundamentals of Communication. Renamed or retired, never deleted,
    so the sessions and reviews that used it keep their history."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="fundamentals")
    area = models.CharField(max_length=20, choices=Area.choices, default=Area.COMMUNICATION)


class ProgressScale(models.Model):
    """A scale an organisation rates progress on. Presets are copied into each organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="scales")
    preset = models.CharField(max_length=40, blank=True)
    name = models.CharField(max_length=120)
    rates = models.CharField(max_length=20, choices=Rates.choices, default=Rates.FUNDAMENTALS)
    is_optional = models.BooleanField(default=False)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.name


class ScaleLevel(models.Model):
    scale = models.ForeignKey(ProgressScale, on_delete=models.CASCADE, related_name="levels")
    position = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=80)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["scale", "position"], name="unique_level_position")]

    def __str__(self):
        return self.label


class CurrentRecords(models.Manager):
    """Records that count: withdrawn ones are left out of every list, count, chart and family view.

    This is the default manager, so `Model.objects` and related managers (`learner.sessions`) skip withdrawn
    records. Lookups across a relation (`learner__sessions__...`, `Count("sessions")`) do not go through a
    manager: add `withdrawn_at__isnull=True` there by hand. The audit trail and the subject access export
    read `Model.every_record`, which keeps them."""

    def get_queryset(self):
        return super().get_queryset().filter(withdrawn_at__isnull=True)


class Withdrawable(models.Model):
    """A record that can be withdrawn with a reason. It is kept, never deleted, for the audit trail and the
    person's own copy of their data."""

    # No index of its own: nearly every row has none, so an index on it only leads SQLite's planner to read every
    # record that counts (of every organisation) instead of one person's; reads go by person, then date.
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_reason = models.CharField(max_length=300, blank=True)

    every_record = models.Manager()
    objects = CurrentRecords()

    class Meta:
        abstract = True
        default_manager_name = "objects"
        base_manager_name = "every_record"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class Session(Withdrawable):
    """One Intensive Interaction session, planned or caught in the flow of the day."""

    # The fields the quick log saves just as its form gives them (a correction too).
    FORM_FIELDS = (
        "minutes",
        "place",
        "planned",
        "phases",
        "techniques",
        "enjoyment",
        "ending",
        "ending_reason",
        "what_happened",
        "significant_moment",
        "how_i_did",
        "next_time",
    )

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="sessions")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    partners = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="partnered_sessions", blank=True)
    started_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField()
    place = models.CharField(max_length=120, blank=True)
    planned = models.BooleanField(default=False)
    phases = models.JSONField(default=list, blank=True)
    techniques = models.JSONField(default=list, blank=True)
    fundamentals = models.ManyToManyField(Fundamental, related_name="sessions", blank=True)
    outcomes = models.ManyToManyField(PlanOutcome, related_name="sessions", blank=True)
    enjoyment = models.PositiveSmallIntegerField(choices=Enjoyment.choices, null=True, blank=True)
    ending = models.CharField(max_length=20, choices=Ending.choices, blank=True)
    ending_reason = models.CharField(max_length=300, blank=True)
    what_happened = models.TextField(blank=True)
    significant_moment = models.TextField(blank=True)
    how_i_did = models.TextField(blank=True)
    next_time = models.TextField(blank=True)
    has_new_behaviour = models.BooleanField(default=False)
    submission_key = models.UUIDField(unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(Withdrawable.Meta):
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["learner", "-started_at"]),
            models.Index(fields=["recorded_by", "-started_at"]),
            models.Index(fields=["recorded_by", "learner", "-started_at"]),
            # The dashboard's and the reports' figures read the sessions that count of a period, person by person;
            # the figures they add up are in the index too, so the sessions themselves are not read.
            models.Index(
                fields=["learner", "started_at", "minutes", "enjoyment", "has_new_behaviour"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="practice_session_current",
            ),
            # A person's latest firsts (About me) are read from the few sessions that hold one.
            models.Index(
                fields=["learner", "started_at"],
                condition=models.Q(withdrawn_at__isnull=True, has_new_behaviour=True),
                name="practice_session_firsts",
            ),
        ]

    def __str__(self):
        return f"{self.learner} — {self.started_at:%d %b %Y %H:%M}"

    @property
    def owner_id(self) -> int | None:
        """Who saved it: only they get it back when the same form is posted again."""
        return self.recorded_by_id

    def phase_labels(self) -> list[str]:
        from .vocabulary import Phase

        return _labels(Phase, self.phases)

    def technique_labels(self) -> list[str]:
        from .vocabulary import Technique

        return _labels(Technique, self.techniques)


def _labels(choices, codes) -> list[str]:
    names = dict(choices.choices)
    return [names[code] for code in codes if code in names]


class ObservedBehaviours(models.Manager):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for behaviour in objs:
            behaviour.fill_key()
        return super().bulk_create(objs, *args, **kwargs)


class ObservedBehaviour(models.Model):
    """Something the learner did, marked typical, rarely seen, or never seen before.

    `key` and `is_first` are stored so that pages read them instead of the person's whole history (see
    practice.novelty): `key` says which behaviour it is, `is_first` whether it is a real first for the person.
    `novelty.refresh_first_flags` keeps `is_first` true whenever a session is saved, corrected, moved,
    withdrawn or brought back."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="behaviours")
    description = models.CharField(max_length=300)
    novelty = models.CharField(max_length=10, choices=Novelty.choices, default=Novelty.TYPICAL)
    # None until worked out (rows written straight into the table); "" is the key of a description of no words.
    key = models.CharField(max_length=300, null=True, blank=True, db_default=None, editable=False)  # noqa: DJ001
    is_first = models.BooleanField(default=False, db_default=False, editable=False)

    objects = ObservedBehaviours()

    class Meta:
        ordering = ["pk"]
        # Lists of firsts read only the few flagged rows.
        indexes = [
            models.Index(fields=["session"], condition=models.Q(is_first=True), name="practice_behaviour_first"),
            # The quick log's "Seen before": each behaviour of a person's sessions, by key, from the index alone.
            models.Index(fields=["session", "key"], name="practice_behaviour_key"),
        ]

    def __str__(self):
        return self.description

    def save(self, *args, **kwargs):
        self.fill_key()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "description" in update_fields:
            kwargs["update_fields"] = {*update_fields, "key"}
        super().save(*args, **kwargs)

    def fill_key(self) -> None:
        from .novelty import behaviour_key

        self.key = behaviour_key(self.description)


class ProgressReview(Withdrawable):
    """A periodic (for example termly) look at how established each Fundamental is."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="reviews")
    scale = models.ForeignKey(ProgressScale, on_delete=models.PROTECT, related_name="reviews")
    reviewed_on = models.DateField()
    period_label = models.CharField(max_length=80, blank=True, help_text="For example: Autumn term 2026.")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    summary = models.TextField(blank=True)
    outcomes = models.ManyToManyField(PlanOutcome, related_name="reviews", blank=True)
    submission_key = models.UUIDField(unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(Withdrawable.Meta):
        ordering = ["-reviewed_on", "-pk"]

    def __str__(self):
        return f"Review of {self.learner} on {self.reviewed_on}"

    @property
    def owner_id(self) -> int | None:
        return self.reviewer_id


class ReviewRating(models.Model):
    review = models.ForeignKey(ProgressReview, on_delete=models.CASCADE, related_name="ratings")
    fundamental = models.ForeignKey(Fundamental, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    area = models.CharField(max_length=20, blank=True)
    level = models.ForeignKey(ScaleLevel, on_delete=models.PROTECT, related_name="+")
    evidence = models.ManyToManyField(Session, related_name="review_ratings", blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.fundamental or self.area}: {self.level}"


class HomeObservation(models.Model):
    """Something a family member noticed at home, told to the team. Shown to staff marked "From home"."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="home_observations")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    observed_on = models.DateField()
    text = models.TextField(max_length=2000)
    submission_key = models.UUIDField(unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-observed_on", "-pk"]
        indexes = [models.Index(fields=["learner", "-observed_on"])]

    def __str__(self):
        return f"From home, {self.observed_on}"

    @property
    def owner_id(self) -> int | None:
        """Who sent it: only they get it back when the same form is posted again."""
        return self.author_id


FAMILY_FEEDBACK_QUESTIONS = [
    ("understand", "I understand better how they communicate"),
    ("connected", "I feel more connected to them"),
    ("reassured", "I feel reassured about their future"),
    ("enjoy", "They enjoy the time they spend with staff"),
]


class FamilyFeedback(models.Model):
    """How a family sees things, given in the family portal or copied in by staff from a paper form."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="family_feedback")
    given_on = models.DateField()
    given_by_name = models.CharField(max_length=120, blank=True, help_text="Who gave it, if entered by staff.")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    on_paper = models.BooleanField(default=False)
    understand = models.PositiveSmallIntegerField()
    connected = models.PositiveSmallIntegerField()
    reassured = models.PositiveSmallIntegerField()
    enjoy = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True, max_length=2000)
    may_quote = models.BooleanField(
        default=False, help_text="They agree that the comment may be quoted, without names, in reports to managers."
    )
    submission_key = models.UUIDField(unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-given_on", "-pk"]

    def __str__(self):
        return f"Family feedback, {self.given_on}"

    @property
    def owner_id(self) -> int | None:
        """Who saved it: only they get it back when the same form is posted again."""
        return self.entered_by_id


class Correction(models.Model):
    """One change to a saved session or progress review: the version before and after, who and when.

    Every earlier version of a record is kept here, so the record's page can show its history in plain words
    ("Changed by Sam Okafor on 4 Dec 2026: minutes 20 → 15") and the person's own copy of their data holds it.
    Exactly one of `session` and `review` is set."""

    class Kind(models.TextChoices):
        EDIT = "edit", "Changed"
        WITHDRAW = "withdraw", "Withdrawn"
        RESTORE = "restore", "Brought back"

    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.CASCADE, related_name="corrections")
    review = models.ForeignKey(
        ProgressReview, null=True, blank=True, on_delete=models.CASCADE, related_name="corrections"
    )
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.EDIT)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["changed_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(session__isnull=False, review__isnull=True))
                | (models.Q(session__isnull=True, review__isnull=False)),
                name="correction_of_one_record",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.changed_at:%d %b %Y}"


class MediaKind(models.TextChoices):
    PHOTO = "photo", "Photo"
    AUDIO = "audio", "Voice note"
    CLIP = "clip", "Short clip"


class ClipCopy(models.TextChoices):
    """Whether a clip needs, and has, a copy for playing: a clip filmed in a form some browsers cannot show
    (HEVC from an iPad or iPhone, say) is kept as filmed and also copied into one every browser plays."""

    NOT_NEEDED = "", "Not needed"
    PREPARING = "preparing", "Being prepared"
    READY = "ready", "Ready"
    FAILED = "failed", "Could not be prepared"


def session_media_path(item: "SessionMedia", filename: str) -> str:
    return f"session-media/{item.folder}/{filename}"


class SessionMedia(models.Model):
    """A photo, a voice note or a short clip taken during a session. The file lives outside the public web root, in
    a folder with a random name, and is only served through a permission check; while the person's consent to
    video is not in force it is hidden, and it is deleted when that consent is withdrawn. A photo is stored
    without its location (the EXIF GPS data is removed before it is saved)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="media")
    kind = models.CharField(max_length=8, choices=MediaKind.choices)
    added_by = models.ForeignKey(
        "organisations.Membership", null=True, on_delete=models.SET_NULL, related_name="added_session_media"
    )
    folder = models.CharField(max_length=32, unique=True, help_text="Random name of the folder holding the file.")
    file = models.FileField(upload_to=session_media_path, max_length=300)
    content_type = models.CharField(max_length=80)
    original_name = models.CharField(max_length=255, blank=True)
    size_bytes = models.BigIntegerField()
    duration = models.FloatField(null=True, blank=True, help_text="Seconds, for a voice note or a clip.")
    created_at = models.DateTimeField(auto_now_add=True)
    # A clip's copy for playing (H.264/AAC MP4), made in the background by the videos app
    # (reflection.tasks.session_clip_copy_make) when the clip as filmed does not play in every browser.
    copy_status = models.CharField(max_length=12, choices=ClipCopy.choices, blank=True, default=ClipCopy.NOT_NEEDED)
    playable = models.FileField(
        upload_to=session_media_path, max_length=300, blank=True, help_text="The clip's copy for playing, if made."
    )
    progress = models.FloatField(default=0.0, help_text="How far the copy for playing has got, 0 to 1.")
    problem = models.CharField(max_length=500, blank=True)
    # The fields of reflection.models.BackgroundWork, so stalled work on the copy is found and started again.
    attempts = models.PositiveSmallIntegerField(default=0, help_text="How many times the work has been started.")
    queued_at = models.DateTimeField(default=timezone.now, help_text="When the work was last put in the queue.")
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="The last sign of life from the work.")

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.session}"

    @property
    def clip_preparing(self) -> bool:
        return self.copy_status == ClipCopy.PREPARING

    @property
    def clip_not_prepared(self) -> bool:
        return self.copy_status == ClipCopy.FAILED

"""Session videos: the film, who it is shared with, notes and comments pinned to moments, interval ratings and
the clips kept for the library of good practice. Codings of a video are in attunement.codings and its
measurements in attunement.interaction; both point here, never the other way.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from attunement.practice.models import Session


class BackgroundWork(models.Model):
    """The fields a record made in the background keeps about that work, so that work whose worker died can be
    found and started again (reflection.tasks.recover_stalled_work). ``attempts`` counts the runs started; a
    run writes only while the count is still its own, so a run that was given up on never overwrites a newer
    one."""

    attempts = models.PositiveSmallIntegerField(default=0, help_text="How many times the work has been started.")
    queued_at = models.DateTimeField(default=timezone.now, help_text="When the work was last put in the queue.")
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="The last sign of life from the work.")

    class Meta:
        abstract = True


class VideoStatus(models.TextChoices):
    PROCESSING = "processing", "Being prepared for playing"
    READY = "ready", "Ready"
    FAILED = "failed", "Could not be prepared"


def video_file_path(video: "SessionVideo", filename: str) -> str:
    return f"videos/{video.folder}/{filename}"


class SessionVideo(BackgroundWork):
    """A film of a session. The original is kept as uploaded; a small browser-playable copy (the proxy) and
    a poster frame are made in the background. Files live outside the public web root and are only served
    through a permission check; while the person's consent to video is not in force the video is hidden.
    """

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="videos")
    uploaded_by = models.ForeignKey(
        "organisations.Membership", null=True, on_delete=models.SET_NULL, related_name="uploaded_videos"
    )
    folder = models.CharField(max_length=32, unique=True, help_text="Random name of the folder holding the files.")
    original = models.FileField(upload_to=video_file_path, max_length=300)
    original_name = models.CharField(max_length=255, blank=True)
    size_bytes = models.BigIntegerField()
    container = models.CharField(max_length=80, blank=True)
    duration = models.FloatField(help_text="Seconds.")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    frame_rate = models.FloatField(null=True, blank=True, help_text="Frames a second, when the file says.")
    has_audio = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=VideoStatus.choices, default=VideoStatus.PROCESSING)
    progress = models.FloatField(default=0.0, help_text="How far the proxy has got, 0 to 1.")
    problem = models.CharField(max_length=500, blank=True)
    proxy = models.FileField(upload_to=video_file_path, max_length=300, blank=True)
    poster = models.FileField(upload_to=video_file_path, max_length=300, blank=True)
    shared_with_team = models.BooleanField(default=False, help_text="Every member of staff may watch it.")
    created_at = models.DateTimeField(auto_now_add=True)
    ready_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Video of {self.session}"

    @property
    def learner(self):
        return self.session.learner

    @property
    def is_ready(self) -> bool:
        return self.status == VideoStatus.READY and bool(self.proxy)


class VideoShare(models.Model):
    """A video shared with one member of staff, usually a mentor, who may then watch and comment on it."""

    video = models.ForeignKey(SessionVideo, on_delete=models.CASCADE, related_name="shares")
    member = models.ForeignKey("organisations.Membership", on_delete=models.CASCADE, related_name="videos_shared")
    shared_by = models.ForeignKey("organisations.Membership", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["video", "member"], name="unique_video_share")]

    def __str__(self):
        return f"{self.video} shared with {self.member}"


class VideoComment(models.Model):
    """A note or a mentor's comment pinned to a moment of the video; a reply points at the comment above."""

    video = models.ForeignKey(SessionVideo, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey("organisations.Membership", null=True, on_delete=models.SET_NULL, related_name="+")
    time = models.FloatField(help_text="Seconds from the start of the video.")
    text = models.TextField()
    reply_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    agreed_action = models.ForeignKey(
        "means.AgreedAction", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["time", "created_at", "pk"]

    def __str__(self):
        return f"Comment at {self.time:.1f} s"


class RatingScheme(models.TextChoices):
    SCALE = "scale", "A scale, every interval"
    ZEEDYK = "zeedyk", "Gaze, orientation, proximity and emotional tone (3 points each)"


class VideoRating(models.Model):
    """One rating of one interval of a video by one member of staff: a level of a chosen progress scale, or
    one of the four 3-point ratings (Zeedyk et al. 2009)."""

    video = models.ForeignKey(SessionVideo, on_delete=models.CASCADE, related_name="ratings")
    rater = models.ForeignKey("organisations.Membership", on_delete=models.CASCADE, related_name="+")
    scheme = models.CharField(max_length=10, choices=RatingScheme.choices)
    scale = models.ForeignKey("practice.ProgressScale", null=True, blank=True, on_delete=models.CASCADE)
    item = models.CharField(max_length=20, help_text="What is rated: 'level' on a scale, or gaze, orientation...")
    start = models.FloatField(help_text="Start of the interval, in seconds.")
    interval = models.FloatField(help_text="Length of the interval, in seconds.")
    value = models.PositiveSmallIntegerField(help_text="1 for the lowest point of the scale.")
    rated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start", "item"]
        constraints = [
            models.UniqueConstraint(
                fields=["video", "rater", "scheme", "item", "start"],
                condition=Q(scale__isnull=True),
                name="unique_video_rating_without_scale",
            ),
            models.UniqueConstraint(
                fields=["video", "rater", "scheme", "scale", "item", "start"],
                condition=Q(scale__isnull=False),
                name="unique_video_rating_on_scale",
            ),
        ]

    def __str__(self):
        return f"{self.item} {self.value} from {self.start:g} s"


class Clip(BackgroundWork):
    """A stretch of a video kept in the organisation's library of good practice, for staff training. Shown
    only while the person's consent covers both video and sharing clips for staff training."""

    video = models.ForeignKey(SessionVideo, on_delete=models.CASCADE, related_name="clips")
    start = models.FloatField()
    end = models.FloatField()
    title = models.CharField(max_length=200)
    teaching_point = models.TextField(blank=True, help_text="What this clip shows about good practice.")
    file = models.FileField(upload_to=video_file_path, max_length=300, blank=True, help_text="The clip on its own.")
    problem = models.CharField(max_length=500, blank=True, help_text="Why the clip could not be cut, if it could not.")
    added_by = models.ForeignKey("organisations.Membership", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title

    @property
    def length(self) -> float:
        return self.end - self.start

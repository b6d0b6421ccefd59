"""Runs of the interaction analysis (attunement.analysis) on a session video."""

from django.db import models

from attunement.reflection.models import BackgroundWork, SessionVideo


class AnalysisStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being measured"
    DONE = "done", "Done"
    FAILED = "failed", "Could not be measured"


class VideoAnalysis(BackgroundWork):
    """One run of the interaction analysis (attunement.analysis) on a video: movement of each person, how far
    they move in step and who follows whom, and the voices. Kept with the parameters and the engine's
    version, so a figure can always be traced to how it was made; a new run never changes an old one."""

    video = models.ForeignKey(SessionVideo, on_delete=models.CASCADE, related_name="analyses")
    requested_by = models.ForeignKey(
        "organisations.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    preset = models.CharField(max_length=20, default="standard")
    learner_region = models.CharField(max_length=60, blank=True, help_text="X,Y,W,H in the proxy's pixels.")
    partner_region = models.CharField(max_length=60, blank=True, help_text="X,Y,W,H in the proxy's pixels.")
    learner_voice = models.CharField(
        max_length=10,
        default="higher",
        help_text="Whether the person supported is suggested as the higher or lower voice.",
    )
    status = models.CharField(max_length=10, choices=AnalysisStatus.choices, default=AnalysisStatus.QUEUED)
    progress = models.FloatField(default=0.0)
    problem = models.CharField(max_length=500, blank=True)
    engine_version = models.CharField(max_length=20, blank=True)
    results = models.JSONField(null=True, blank=True)
    speaker_corrections = models.JSONField(
        default=dict, blank=True, help_text="Segment number → 'learner' or 'partner', as corrected by a reviewer."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Which run counts for the video (its figures on the session page and in the person's progress trend):
    # the finished run chosen most recently; until a reviewer chooses, the first run that finished
    # (interaction.counting_run). A run that counted from the start has chosen_at set and no chosen_by.
    chosen_at = models.DateTimeField(null=True, blank=True, help_text="When this run was chosen to count.")
    chosen_by = models.ForeignKey(
        "organisations.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "reflection_videoanalysis"  # the table keeps the name it had inside the videos app
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Analysis {self.pk} of {self.video}"

    @property
    def is_done(self) -> bool:
        return self.status == AnalysisStatus.DONE and self.results is not None

from django.conf import settings
from django.db import models


class CaseStudyRelease(models.Model):
    """The quoted sentences of one person's anonymised case study, as a co-ordinator checked, edited and
    released them for one period. Only released sentences appear in the case study; each keeps where it came
    from, so a sentence whose record is later withdrawn drops out."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="case_study_releases"
    )
    learner = models.ForeignKey("learners.Learner", on_delete=models.CASCADE, related_name="case_study_releases")
    since = models.DateField()
    until = models.DateField()
    sentences = models.JSONField(
        default=list, blank=True, help_text='The released sentences: [{"source", "kind", "text"}], in order.'
    )
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    released_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-released_at", "-pk"]
        indexes = [models.Index(fields=["learner", "since", "until"])]

    def __str__(self):
        return f"Case study of {self.learner_id}, {self.since} to {self.until}"


class TermStart(models.Model):
    """The day one of an organisation's terms begins. A term lasts until the next start. An organisation with none
    uses 1 September, 1 January and 1 April of every year."""

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="term_starts")
    starts_on = models.DateField()
    name = models.CharField(max_length=60, blank=True, help_text="Optional, for example: Autumn 2026.")

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "starts_on"], name="one_term_start_per_day"),
        ]

    def __str__(self):
        return self.name or f"Term from {self.starts_on:%d %B %Y}"

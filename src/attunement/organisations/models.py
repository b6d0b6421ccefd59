from django.conf import settings
from django.db import models


class Setting(models.TextChoices):
    SCHOOL = "school", "School"
    ADULT_SERVICE = "adult_service", "Adult service"
    FAMILY = "family", "Family"


class LearnerWord(models.TextChoices):
    PUPIL = "pupil", "pupil / pupils"
    PERSON = "person", "person we support / people we support"
    LEARNER = "learner", "learner / learners"
    CHILD = "child", "child / children"


LEARNER_WORD_FORMS = {
    LearnerWord.PUPIL: ("pupil", "pupils"),
    LearnerWord.PERSON: ("person we support", "people we support"),
    LearnerWord.LEARNER: ("learner", "learners"),
    LearnerWord.CHILD: ("child", "children"),
}

DEFAULT_WORD_FOR_SETTING = {
    Setting.SCHOOL: LearnerWord.PUPIL,
    Setting.ADULT_SERVICE: LearnerWord.PERSON,
    Setting.FAMILY: LearnerWord.CHILD,
}


class Organisation(models.Model):
    """A school, an adult service or a family. Nothing is ever shared between organisations."""

    name = models.CharField(max_length=200)
    setting = models.CharField(max_length=20, choices=Setting.choices, default=Setting.SCHOOL)
    learner_word = models.CharField(
        max_length=20,
        choices=LearnerWord.choices,
        blank=True,
        help_text="What you call the people Intensive Interaction is for. Leave blank to use the usual "
        "word for your setting.",
    )
    weekly_session_target = models.PositiveSmallIntegerField(
        default=5, help_text="How many sessions a week you aim for with each person, unless set for them."
    )
    correction_days = models.PositiveSmallIntegerField(
        default=7,
        help_text="For how many days after saving a session or a review the person who saved it may correct "
        "or withdraw it. Co-ordinators may always do so.",
    )
    progress_scale = models.ForeignKey(
        "practice.ProgressScale", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    media_wait_on_tablets = models.BooleanField(
        default=False,
        db_default=False,  # rows written without it (an older version's code, a raw insert) are "no" too
        help_text="Whether a photo, voice note or clip taken with no connection may wait on the tablet, with its "
        "session, until it can be sent. When not, the session waits and the file is not kept.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name

    @property
    def word(self) -> tuple[str, str]:
        """The singular and plural word for the people this organisation supports."""
        code = self.learner_word or DEFAULT_WORD_FOR_SETTING[Setting(self.setting)]
        return LEARNER_WORD_FORMS[LearnerWord(code)]


class Site(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="unique_site_name")]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    COORDINATOR = "coordinator", "Co-ordinator"
    MANAGER = "manager", "Manager"
    FAMILY = "family", "Family member"
    THERAPIST = "therapist", "Therapist"
    EXTERNAL = "external", "External viewer"
    ADMINISTRATOR = "administrator", "Administrator"


class Membership(models.Model):
    """How a user belongs to an organisation, and in which role."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True, help_text="When their access ended, if it has.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_organisation")]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} at {self.organisation}"


class AuditEntry(models.Model):
    """Who did what to whose record, and when. Written by services; never edited."""

    organisation = models.ForeignKey(Organisation, null=True, on_delete=models.SET_NULL, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=80)
    learner_id = models.BigIntegerField(null=True, db_index=True)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.BigIntegerField(null=True)
    detail = models.JSONField(
        default=dict, blank=True, help_text="What changed (before and after), or which report and format was read."
    )
    address = models.GenericIPAddressField(null=True, blank=True, help_text="Where the request came from.")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["organisation", "-at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit entries are never changed.")
        super().save(*args, **kwargs)

from django.conf import settings
from django.db import models
from django.db.models import F

from attunement.catalogue.models import CatalogueEntry
from attunement.organisations.models import Organisation, Site

from .naming import shown_name_key


class Need(models.TextChoices):
    AUTISM = "autism", "Autism"
    PMLD = "pmld", "Profound and multiple learning disabilities (PMLD)"
    SLD = "sld", "Severe learning disabilities (SLD)"
    MSI = "msi", "Multi-sensory impairment"
    GDD = "gdd", "Global developmental delay"
    CCN = "ccn", "Complex communication needs"


class Group(CatalogueEntry):
    """A class or group people belong to: a school's class, a service's house or team. Optionally at one site."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="groups")
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="groups")


class Learner(models.Model):
    """The child or adult Intensive Interaction is for."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="learners")
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="learners")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(
        max_length=100, blank=True, help_text="The name they know and like to be called, if different."
    )
    date_of_birth = models.DateField(null=True, blank=True)
    identifier = models.CharField(
        max_length=50,
        blank=True,
        help_text="A number your records use for them, such as a UPN. Optional; no two people share one.",
    )
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="learners", verbose_name="class or group"
    )
    needs = models.JSONField(default=list, blank=True)
    photo = models.ImageField(upload_to="learner-photos/", blank=True)
    weekly_session_target = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Sessions a week to aim for with this person. Leave blank to use the organisation's target.",
    )
    is_active = models.BooleanField(default=True, help_text="Untick when they leave; retention counts from then.")
    left_on = models.DateField(null=True, blank=True, help_text="The day they left, if they have.")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["first_name", "last_name"]
        indexes = [
            models.Index(fields=["organisation", "is_active", "first_name"]),
            # Who else the reader can see goes by the same name (learners.naming): found without reading everyone.
            models.Index(F("organisation"), shown_name_key(), name="learners_shown_name"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "identifier"],
                condition=~models.Q(identifier=""),
                name="one_identifier_per_organisation",
            )
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.preferred_name or self.first_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def initials(self) -> str:
        return (self.display_name[:1] + self.last_name[:1]).upper()

    def need_labels(self) -> list[str]:
        labels = dict(Need.choices)
        return [labels[code] for code in self.needs if code in labels]

    def session_target(self) -> int:
        if self.weekly_session_target is not None:
            return self.weekly_session_target
        return self.organisation.weekly_session_target


class KeyPerson(models.Model):
    """Someone who matters to the learner: family, a favourite member of staff, a friend."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="key_people")
    name = models.CharField(max_length=120)
    relationship = models.CharField(max_length=120, help_text="For example: mum, key worker, brother.")
    notes = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.name} ({self.relationship})"


PROFILE_SECTIONS = [
    ("how_they_communicate", "How I communicate", "Sounds, movements, gestures, touch, gaze — and what they mean."),
    ("what_they_enjoy", "What I enjoy", "Activities, sounds, objects, people and places that delight me."),
    ("signs_of_enjoyment", "How you can tell I am enjoying myself", "Smiles, sounds, reaching, looking."),
    ("signs_had_enough", "How you can tell I have had enough", "Yawning, turning away, becoming less responsive."),
    (
        "arousal_and_sensory",
        "Arousal and senses",
        "What excites or calms me; sounds, lights and touch I seek or avoid.",
    ),
    ("what_helps_starting", "What helps us get started", "How to tune in and join me: where, when, what to try."),
    ("what_to_avoid", "Please avoid", "Things that upset or overwhelm me."),
]


class CommunicationProfile(models.Model):
    """The one-page "about me" a new member of staff can read in a minute."""

    learner = models.OneToOneField(Learner, on_delete=models.CASCADE, related_name="profile")
    how_they_communicate = models.TextField(blank=True)
    what_they_enjoy = models.TextField(blank=True)
    signs_of_enjoyment = models.TextField(blank=True)
    signs_had_enough = models.TextField(blank=True)
    arousal_and_sensory = models.TextField(blank=True)
    what_helps_starting = models.TextField(blank=True)
    what_to_avoid = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self):
        return f"Communication profile of {self.learner}"

    def sections(self) -> list[dict]:
        return [
            {"field": field, "title": title, "hint": hint, "text": getattr(self, field)}
            for field, title, hint in PROFILE_SECTIONS
        ]

    def is_empty(self) -> bool:
        return not any(getattr(self, field).strip() for field, _, _ in PROFILE_SECTIONS)


class Assignment(models.Model):
    """Ties a member of staff to a learner they work with. Practitioners see only these learners."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments")
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True, help_text="Access ends by itself after this day.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["learner", "user"], name="one_assignment_per_pair")]
        indexes = [models.Index(fields=["user", "learner"])]

    def __str__(self):
        return f"{self.user} works with {self.learner}"


class PlanKind(models.TextChoices):
    EHCP = "ehcp", "Education, Health and Care Plan (EHCP)"
    CARE = "care", "Care plan"
    PBS = "pbs", "Positive Behaviour Support (PBS) plan"


class Plan(models.Model):
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="plans")
    kind = models.CharField(max_length=10, choices=PlanKind.choices)
    title = models.CharField(max_length=200, blank=True)
    starts_on = models.DateField(null=True, blank=True)
    review_on = models.DateField(null=True, blank=True, help_text="When the plan is next reviewed.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_active", "-created_at"]

    def __str__(self):
        return self.title or self.get_kind_display()


class PlanOutcome(models.Model):
    """An outcome in a plan, which sessions and progress reviews can be linked to as evidence."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="outcomes")
    text = models.CharField(max_length=400)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.text

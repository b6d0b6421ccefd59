"""Invitations: how a co-ordinator or an administrator brings a member of staff or a family member in. The
member's access itself is their `organisations.Membership`; an invitation is the single-use link that makes it."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone

from attunement.organisations.models import Organisation, Role, Site


def token_digest(token: str) -> str:
    """What is stored of an invitation's secret: its SHA-256. The link itself is only ever in the e-mail."""
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    class State(models.TextChoices):
        WAITING = "waiting", "Waiting"
        ACCEPTED = "accepted", "Accepted"
        EXPIRED = "expired", "Expired"
        WITHDRAWN = "withdrawn", "Withdrawn"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField("e-mail address")
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices)
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    learners = models.ManyToManyField("learners.Learner", blank=True, related_name="+")
    token_digest = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(help_text="When the link was last sent: a new link replaces the last one.")
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "email"])]

    def __str__(self):
        return f"Invitation of {self.email} to {self.organisation}"

    def state(self, now=None) -> "Invitation.State":
        if self.accepted_at:
            return self.State.ACCEPTED
        if self.withdrawn_at:
            return self.State.WITHDRAWN
        if (now or timezone.now()) >= self.expires_at:
            return self.State.EXPIRED
        return self.State.WAITING

    @property
    def is_open(self) -> bool:
        return self.state() == self.State.WAITING

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

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

    @property
    def inviter_name(self) -> str:
        """Who sent it, as the invited person reads it: empty when the sender is no one they could ask, as for a
        system inviting through an API key (its user's address is under .invalid, where nothing can be sent)."""
        user = self.invited_by
        if user is None or user.email.lower().endswith(".invalid"):
            return ""
        return user.get_full_name() or user.email


class SingleSignOn(models.Model):
    """An organisation's own sign-in (Google Workspace, Microsoft Entra ID or another OpenID Connect provider),
    switched on by an administrator. Only people invited, or already members, get in through it."""

    class Kind(models.TextChoices):
        GOOGLE = "google", "Google Workspace"
        MICROSOFT = "microsoft", "Microsoft Entra ID (Microsoft 365)"
        OTHER = "oidc", "Another OpenID Connect provider"

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="single_sign_on")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    client_id = models.CharField("client ID", max_length=255)
    client_secret = models.CharField("client secret", max_length=255)
    tenant = models.CharField(
        "directory (tenant) ID",
        max_length=100,
        blank=True,
        help_text="Microsoft only: your organisation's directory ID, so that only its accounts can sign in.",
    )
    server_url = models.URLField(
        "provider address",
        blank=True,
        help_text="Another provider only: the address its discovery document is under (the issuer).",
    )
    provider_enforces_mfa = models.BooleanField(
        "our provider asks for a second step",
        default=False,
        help_text="Tick only if every account of your provider must pass a second step (multi-factor "
        "authentication) to sign in. Then co-ordinators, managers and administrators who sign in through it are "
        "not asked to set up Attunement's own.",
    )
    enabled = models.BooleanField("switched on", default=True)
    key = models.SlugField(unique=True, help_text="Names this sign-in in its addresses.")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.get_kind_display()} for {self.organisation}"

    @property
    def provider_id(self) -> str:
        return f"sso-{self.key}"

    def issuer(self) -> str:
        if self.kind == self.Kind.GOOGLE:
            return "https://accounts.google.com"
        if self.kind == self.Kind.MICROSOFT:
            return f"https://login.microsoftonline.com/{self.tenant}/v2.0"
        return self.server_url.rstrip("/")

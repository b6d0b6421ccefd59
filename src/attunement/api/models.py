"""Keys that let another system use the API, each acting in one organisation in one role."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from attunement.organisations.models import Membership, Organisation, Role


class ApiKey(models.Model):
    """A key an administrator made for another system. The secret itself is never stored: only its SHA-256
    hash, and its first characters so people can tell their keys apart.

    Each key acts through a user of its own (`user`, who cannot log in) and, for every request, an unsaved
    `Membership` with the key's role (`acting_membership`), so every policy and scope applies to a key exactly
    as to a member of staff in that role, and the audit trail names the key as the one who acted. No
    `Membership` row is saved, so a key never appears among the organisation's staff."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    role = models.CharField(max_length=20, choices=Role.choices)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_key")
    secret_hash = models.CharField(max_length=64, unique=True)
    secret_start = models.CharField(max_length=16, help_text="The first characters of the key, to recognise it.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The rate limit's count, kept here so every web server process counts against the same number.
    window_started_at = models.DateTimeField(null=True, blank=True)
    window_requests = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], condition=Q(revoked_at__isnull=True), name="one_live_key_per_name"
            )
        ]

    def __str__(self):
        return self.name

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def acting_membership(self) -> Membership:
        """The member this key acts as: its own user, in its organisation and role; inactive once revoked."""
        return Membership(
            user=self.user, organisation=self.organisation, role=self.role, is_active=self.revoked_at is None
        )

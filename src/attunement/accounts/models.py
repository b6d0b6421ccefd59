from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone


class EmailUserManager(UserManager):
    def create_user(self, email, password=None, **extra):
        extra.setdefault("username", email)
        return super().create_user(email=email, password=password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("username", email)
        return super().create_superuser(email=email, password=password, **extra)


class User(AbstractUser):
    """A person who logs in: staff, family member, therapist or visitor. Identified by email."""

    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(max_length=120, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = EmailUserManager()

    def __str__(self):
        return self.display_name or self.get_full_name() or self.email

    @property
    def short_name(self) -> str:
        return self.display_name or self.first_name or self.email.split("@")[0]


class SecurityEvent(models.Model):
    """Something that happened at the door: a sign-in, a wrong password or code, a lockout, a change of password
    or authenticator, or a page refused to a signed-in member. Written by accounts.security; never edited;
    deleted by the retention run once older than SECURITY_LOG_RETENTION_DAYS."""

    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Wrong password"
        LOCKED_OUT = "locked_out", "Locked after wrong passwords"
        SECOND_STEP_FAILED = "second_step_failed", "Wrong code at the second step"
        SECOND_STEP_LOCKED = "second_step_locked", "Second step locked after wrong codes"
        SECOND_STEP_REFUSED = "second_step_refused", "Code refused while the second step was locked"
        PASSWORD_CHANGED = "password_changed", "Password changed"
        PASSWORD_RESET = "password_reset", "Password reset by e-mail link"
        AUTHENTICATOR_ADDED = "authenticator_added", "Authenticator added"
        AUTHENTICATOR_REMOVED = "authenticator_removed", "Authenticator removed"
        RECOVERY_CODES_RENEWED = "recovery_codes_renewed", "New recovery codes made"
        ACCESS_REFUSED = "access_refused", "Page refused"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=30, choices=Kind.choices, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.CharField(max_length=254, blank=True, help_text="The address typed, or the user's.")
    address = models.GenericIPAddressField(null=True, blank=True, help_text="Where the request came from.")
    organisation = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "kind", "at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()} {self.email}"

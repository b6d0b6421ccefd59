"""What each member wants to be told, and how: in the app, also in the daily e-mail, or not at all; and the
record of each daily e-mail sent, so the same day's e-mail is never sent twice."""

from django.db import models

from attunement.organisations.models import Membership


class Kind(models.TextChoices):
    ACTIONS = "actions", "Agreed actions due soon or overdue"
    CONSENT = "consent", "Consent reviews due and consents expired"
    VIDEO_SHARED = "video_shared", "Videos shared with you"
    VIDEO_REPLY = "video_reply", "Replies to your notes on videos"
    HOME_NOTES = "home_notes", "Notes from home"
    TRAINING = "training", "Training due"
    FAMILY_NEWS = "family_news", "New sessions and progress reviews"


class Channel(models.TextChoices):
    EMAIL = "email", "In the app and in the daily e-mail"
    APP = "app", "In the app only"
    OFF = "off", "Not at all"


DEFAULT_CHANNEL = Channel.EMAIL


class Preference(models.Model):
    """One member's choice for one kind of notification. No row means the default, DEFAULT_CHANNEL."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=DEFAULT_CHANNEL)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["membership", "kind"], name="one_preference_per_kind")]

    def __str__(self):
        return f"{self.membership}: {self.kind} {self.channel}"


class DigestSent(models.Model):
    """The daily e-mail to one member on one day: taken (unique per member and day) before the e-mail is sent, so
    two runs on the same day cannot both send it. `keys` names what it told, so nothing is told twice."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="digests_sent")
    day = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)
    keys = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["membership", "day"], name="one_digest_per_member_a_day")]

    def __str__(self):
        return f"Daily e-mail to {self.membership} on {self.day}"

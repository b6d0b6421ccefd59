"""Every write of notifications: a member's choices, unsubscribing from the daily e-mail, and the daily e-mail."""

import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from attunement.organisations.audit import audit_record, audit_system
from attunement.organisations.models import Membership

from . import selectors
from .models import Channel, DigestSent, Kind, Preference
from .policies import notification_policy
from .tokens import membership_id_from, unsubscribe_token

log = logging.getLogger(__name__)


@transaction.atomic
def preferences_update(*, actor: Membership, choices: dict[str, str]) -> None:
    """Save how the member wants to hear of each kind: in the app, also by e-mail, or not at all."""
    notification_policy.require(actor, "choose")
    offered = notification_policy.kinds_for(actor)
    problems = {}
    for kind, channel in choices.items():
        if kind not in offered:
            problems[kind] = "That kind of notification is not one you can choose."
        elif channel not in Channel.values:
            problems[kind] = f"Choose how to hear about {Kind(kind).label.lower()}."
    if problems:
        raise ValidationError(problems)
    changed = {}
    current = selectors.preferences_of(actor)
    for kind, channel in choices.items():
        if current[kind] != channel:
            Preference.objects.update_or_create(membership=actor, kind=kind, defaults={"channel": channel})
            changed[kind] = channel
    if changed:
        audit_record(actor=actor, action="notifications.preferences_changed", detail=changed)


def unsubscribe_member(token: str) -> Membership:
    """Stop the daily e-mail for the member the token names: every kind they hear of by e-mail is kept in the app
    only. Raises ValidationError for a link that was not made here."""
    membership = selectors.member_named_by(membership_id_from(token))
    if membership is None:
        raise ValidationError("This link does not work. Sign in and choose your notifications instead.")
    with transaction.atomic():
        mailed = [kind for kind, channel in selectors.preferences_of(membership).items() if channel == Channel.EMAIL]
        for kind in mailed:
            Preference.objects.update_or_create(membership=membership, kind=kind, defaults={"channel": Channel.APP})
        if mailed:
            audit_record(actor=membership, action="notifications.unsubscribed", detail={"kinds": mailed})
    return membership


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def unsubscribe_url(membership: Membership) -> str:
    return absolute(reverse("notifications:unsubscribe", kwargs={"token": unsubscribe_token(membership.pk)}))


def digest_message(membership: Membership, items: list[selectors.Item]) -> EmailMessage:
    """The daily e-mail: the first name of each person and the kind of thing waiting, and a link to sign in. It
    holds no record's own words (items' `mailed` wording)."""
    leave = unsubscribe_url(membership)
    count = len(items)
    body = render_to_string(
        "notifications/digest_email.txt",
        {
            "membership": membership,
            "items": items,
            "for_you_url": absolute(reverse("notifications:for_you")),
            "settings_url": absolute(reverse("notifications:settings")),
            "unsubscribe_url": leave,
        },
    )
    return EmailMessage(
        subject=f"Attunement: {count} new thing{'s' if count != 1 else ''} for you",
        body=body,
        to=[membership.user.email],
        headers={
            "List-Unsubscribe": f"<{leave}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )


def digest_send(*, membership: Membership, today: date | None = None) -> bool:
    """Send the member today's e-mail of what is new for them since their last ones, if anything is. Taking the
    day's record comes first and is unique per member and day, so two runs at once, or a second run on the same
    day, cannot send it twice. If sending fails the record is given back, so a later run can try again.
    Returns whether an e-mail was sent."""
    today = today or timezone.localdate()
    items = selectors.items_for(membership, today=today, channels=(Channel.EMAIL,))
    told = selectors.keys_already_mailed(membership, today=today)
    new = [item for item in items if item.key not in told]
    if not new:
        return False
    try:
        with transaction.atomic():
            digest = DigestSent.objects.create(membership=membership, day=today, keys=[item.key for item in new])
    except IntegrityError:
        return False  # already sent today
    try:
        digest_message(membership, new).send()
    except Exception:
        digest.delete()
        raise
    audit_system(organisation_id=membership.organisation_id, action="notifications.digest_sent", target=digest)
    return True


def digest_send_all(*, today: date | None = None) -> int:
    """The scheduled run: each member's daily e-mail, if they have something new. One member's failure (their
    mail server refused) does not stop the others. Returns how many e-mails were sent."""
    today = today or timezone.localdate()
    # What was mailed longer ago than is remembered is no longer needed to avoid telling it twice.
    DigestSent.objects.filter(day__lt=today - timedelta(days=selectors.DIGEST_MEMORY_DAYS)).delete()
    sent = 0
    for membership in selectors.members_to_mail():
        try:
            sent += digest_send(membership=membership, today=today)
        except Exception:
            log.exception("The daily e-mail to member %s was not sent; the next run will try again.", membership.pk)
    return sent

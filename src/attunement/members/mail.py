"""The invitation e-mail. It names the organisation, the role and who sent it, and holds the link: nothing about
the people the new member will work with (their names stay behind the sign-in)."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import formats, timezone

from .models import Invitation


def invitation_message(invitation: Invitation, link: str) -> EmailMessage:
    inviter = invitation.inviter_name
    organisation = invitation.organisation.name
    sender, joining = (inviter, organisation) if inviter else (organisation, "them")
    expires = formats.date_format(timezone.localtime(invitation.expires_at), "j F Y, H:i")
    greeting = f"Hello {invitation.first_name}," if invitation.first_name else "Hello,"
    role = invitation.get_role_display().lower()
    body = "\n".join(
        [
            greeting,
            "",
            f"{sender} has invited you to join {joining} on Attunement as a {role}.",
            "Attunement is where the team records and reflects on Intensive Interaction.",
            "",
            "To accept, open this link and choose your password:",
            link,
            "",
            f"The link works once and until {expires}. If it has expired, ask {sender} to send a new one.",
            "If you were not expecting this, you can ignore this e-mail: nothing happens unless the link is used.",
        ]
    )
    return EmailMessage(
        subject=f"You are invited to join {organisation} on Attunement",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[invitation.email],
    )


def send_invitation(invitation: Invitation, link: str) -> None:
    invitation_message(invitation, link).send(fail_silently=False)

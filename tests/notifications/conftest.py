import email
import socket
from datetime import timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from attunement.privacy.models import Consent


class Inbox:
    """What a real SMTP server, running in the test, received."""

    def __init__(self, port: int):
        self.port = port
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(e.original_content, policy=policy.default) for e in self.envelopes]

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [message for message in self.messages if message["To"] == address]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox(settings):
    """A local SMTP server (aiosmtpd) with Django's SMTP backend pointed at it."""
    port = _free_port()
    received = Inbox(port)
    controller = Controller(received, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.SITE_URL = "https://attunement.example"
    yield received
    controller.stop()


def consent(learner, purpose, *, starts_days_ago=10, review_in_days=365):
    today = timezone.localdate()
    return Consent.objects.create(
        learner=learner,
        purpose=purpose,
        given_by="person",
        starts_on=today - timedelta(days=starts_days_ago),
        review_on=today + timedelta(days=review_in_days),
    )

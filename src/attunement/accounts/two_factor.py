"""Second-factor helpers: enrolling an authenticator app's key, and reading the code it would show."""

import pyotp
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP


def enrol_authenticator(user, secret: str) -> None:
    """Give the user an authenticator-app key (base32) and a set of recovery codes, as if they had set them up."""
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, secret)
        RecoveryCodes.activate(user)


def current_code(secret: str) -> str:
    """The six-digit code an authenticator app holding this key shows right now."""
    return pyotp.TOTP(secret).now()

"""The signed token in each daily e-mail's unsubscribe link: it names the member, so the link works without
signing in, and it cannot be made or changed without the site's secret key."""

from django.core import signing

SALT = "attunement.notifications.unsubscribe"


def unsubscribe_token(membership_id: int) -> str:
    return signing.dumps(membership_id, salt=SALT)


def membership_id_from(token: str) -> int | None:
    """The member the token names, or None for a token that was not made here (or was changed)."""
    try:
        value = signing.loads(token, salt=SALT)
    except (signing.BadSignature, UnicodeError):  # changed, or not even text a signature could be made of
        return None
    return value if isinstance(value, int) else None

"""The security log, and the lock on the second step of logging in.

Every event is written here, by the signal receivers in signals.py, the second-step forms and the refused-access
middleware. The second step is locked in the database, not in a cache, so every server process sees the same
count and the lock holds across restarts.
"""

from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from attunement.organisations.audit import client_address

from .models import SecurityEvent

Kind = SecurityEvent.Kind


def record(kind: str, *, request=None, user=None, email: str = "", detail: str = "", organisation=None):
    """Write one event. The address and, for a signed-in member, the organisation come from the request."""
    if user is not None and not getattr(user, "pk", None):
        user = None
    if user is not None and not email:
        email = user.email
    if organisation is None and request is not None:
        membership = getattr(request, "membership", None)
        organisation = getattr(membership, "organisation", None)
    return SecurityEvent.objects.create(
        kind=kind,
        user=user,
        email=(email or "")[:254],
        address=client_address(request) if request is not None else None,
        organisation=organisation,
        detail=detail[:300],
    )


def user_for_email(email: str | None):
    """The account an attempt named, if there is one (the log links attempts to the person they targeted)."""
    if not email:
        return None
    return get_user_model().objects.filter(email__iexact=email).first()


# --- The second step ------------------------------------------------------------------------------------


def second_step_locked_until(user, *, now: datetime | None = None) -> datetime | None:
    """When the user's second step opens again, or None if it is open now."""
    now = now or timezone.now()
    cooloff = settings.SECOND_STEP_COOLOFF
    latest = SecurityEvent.objects.filter(user=user, kind=Kind.SECOND_STEP_LOCKED, at__gt=now - cooloff).aggregate(
        latest=Max("at")
    )["latest"]
    return latest + cooloff if latest else None


def second_step_failures(user, *, now: datetime | None = None) -> int:
    """Wrong codes since the last lock or successful sign-in, within the cool-off period."""
    now = now or timezone.now()
    since = now - settings.SECOND_STEP_COOLOFF
    reset = SecurityEvent.objects.filter(
        user=user, kind__in=[Kind.SECOND_STEP_LOCKED, Kind.SIGN_IN], at__gt=since
    ).aggregate(latest=Max("at"))["latest"]
    return SecurityEvent.objects.filter(user=user, kind=Kind.SECOND_STEP_FAILED, at__gt=reset or since).count()


def lock_message(until: datetime) -> str:
    minutes = max(1, round((until - timezone.now()).total_seconds() / 60))
    return (
        f"Too many wrong codes. To keep this account safe, the second step is paused for "
        f"{int(settings.SECOND_STEP_COOLOFF.total_seconds() // 60)} minutes. Please try again in about {minutes} "
        f"minute{'s' if minutes != 1 else ''}. If you have lost your authenticator, ask your administrator."
    )


def hold_user(user) -> None:
    """Take a lock on the user's row until the transaction ends, so parallel guesses are counted one by one."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()


@transaction.atomic
def check_second_step(user, request, check):
    """Run `check` (which validates the code and raises ValidationError when it is wrong) unless the second step
    is locked. Returns (result, error): the error is raised by the caller, after this transaction has kept the
    record of the failure."""
    from django.core.exceptions import ValidationError

    hold_user(user)
    until = second_step_locked_until(user)
    if until is not None:
        record(Kind.SECOND_STEP_REFUSED, request=request, user=user, detail="A code was sent while locked.")
        return None, ValidationError(lock_message(until))
    try:
        return check(), None
    except ValidationError as error:
        if second_step_failures(user) >= settings.SECOND_STEP_FAILURE_LIMIT:
            lock = record(
                Kind.SECOND_STEP_LOCKED,
                request=request,
                user=user,
                detail=f"{settings.SECOND_STEP_FAILURE_LIMIT} wrong codes in a row.",
            )
            return None, ValidationError(lock_message(lock.at + settings.SECOND_STEP_COOLOFF))
        return None, error

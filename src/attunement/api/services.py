"""Making, revoking and using API keys: permission, validation in plain words, audit."""

import hashlib
import math
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from attunement.organisations.audit import audit_record
from attunement.organisations.models import Membership

from .models import ApiKey
from .policies import KEY_ROLES, api_key_policy
from .selectors import key_by_hash, key_window

KEY_PREFIX = "att_"
# Addresses under .invalid can never receive mail, so a key's user can never be sent a password reset.
KEY_USER_DOMAIN = "api-keys.invalid"


def secret_hash(secret: str) -> str:
    """A key's secret is 256 random bits, so a plain SHA-256 is enough: nothing can be guessed from it."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class MadeKey:
    key: ApiKey
    secret: str  # shown once, to the administrator who made it, and never again


@transaction.atomic
def api_key_create(*, actor: Membership, name: str, role: str) -> MadeKey:
    api_key_policy.require(actor, "manage")
    name = " ".join(name.split())
    errors = {}
    if not name:
        errors["name"] = "Please give the key a name, such as the system that will use it."
    elif len(name) > 100:
        errors["name"] = "Please use a name under 100 characters."
    elif api_key_policy.scope(actor).filter(name=name, revoked_at__isnull=True).exists():
        errors["name"] = "A key with this name is already in use. Please choose another name."
    if role not in KEY_ROLES:
        errors["role"] = "Please choose a role from the list."
    if errors:
        raise ValidationError(errors)
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    user = get_user_model().objects.create_user(
        email=f"key-{uuid.uuid4().hex}@{KEY_USER_DOMAIN}",
        password=None,  # no password: a key's user cannot log in
        display_name=f"API key “{name}”"[:120],
        is_active=False,
    )
    try:
        with transaction.atomic():
            key = ApiKey.objects.create(
                organisation_id=actor.organisation_id,
                name=name,
                role=role,
                user=user,
                secret_hash=secret_hash(secret),
                secret_start=secret[: len(KEY_PREFIX) + 6],
                created_by_id=actor.user_id,
            )
    except IntegrityError:  # the same name, made at the same moment by another administrator
        raise ValidationError({"name": "A key with this name is already in use. Please choose another name."}) from None
    audit_record(actor=actor, action="api_key.created", target=key, detail={"name": name, "role": role})
    return MadeKey(key, secret)


@transaction.atomic
def api_key_revoke(*, actor: Membership, key: ApiKey) -> ApiKey:
    """Refuse the key from its next request on. Revoking twice changes nothing."""
    api_key_policy.require(actor, "manage", key)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.revoked_by_id = actor.user_id
        key.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(actor=actor, action="api_key.revoked", target=key, detail={"name": key.name})
    return key


class KeyRefused(Exception):
    """No key, an unknown key or a revoked one: answered 401 with the message."""


class TooManyRequests(Exception):
    """The key has used up this minute's requests: answered 429 with Retry-After."""

    def __init__(self, retry_after: int):
        super().__init__(
            f"This key has sent more than {settings.API_REQUESTS_PER_MINUTE} requests in a minute. "
            f"Please wait {retry_after} seconds and try again."
        )
        self.retry_after = retry_after


WINDOW_SECONDS = 60


def api_key_use(*, secret: str, method: str, path: str) -> Membership:
    """The member a request with this key acts as. Counts the request against the key's limit, notes when it
    was last used and writes one audit entry for the request; raises KeyRefused or TooManyRequests instead."""
    key = key_by_hash(secret_hash(secret)) if secret else None
    if key is None:
        raise KeyRefused("This API key is not known. Please check it, or ask an administrator for a new one.")
    if key.is_revoked:
        raise KeyRefused("This API key has been revoked. Please ask an administrator for a new one.")
    count, window_start = _count_request(key)
    if count > settings.API_REQUESTS_PER_MINUTE:
        ends = window_start.timestamp() + WINDOW_SECONDS
        raise TooManyRequests(max(1, math.ceil(ends - timezone.now().timestamp())))
    actor = key.acting_membership()
    audit_record(actor=actor, action="api.request", detail={"method": method, "path": path[:300], "key": key.name})
    return actor


def _count_request(key: ApiKey) -> tuple[int, datetime]:
    """Add this request to the key's count for the current minute, in the database, so the web server's
    processes share one count. Each step is one UPDATE, safe against requests at the same moment: a new
    minute is started by whichever request gets there first, and the others add to it."""
    now = timezone.now()
    start = datetime.fromtimestamp(int(now.timestamp()) // WINDOW_SECONDS * WINDOW_SECONDS, tz=UTC)
    keys = ApiKey.objects.filter(pk=key.pk)
    for _ in range(3):
        if keys.filter(window_started_at=start).update(window_requests=F("window_requests") + 1, last_used_at=now):
            break
        if keys.exclude(window_started_at=start).update(window_started_at=start, window_requests=1, last_used_at=now):
            break
    started, count = key_window(key.pk)
    return (count if started == start else 1), start

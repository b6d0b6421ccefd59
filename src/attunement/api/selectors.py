"""Reads for the API and its keys. Each starts from the acting member's scope."""

from django.db.models import QuerySet

from attunement.organisations.models import Membership, Site

from .models import ApiKey
from .policies import api_key_policy


def api_keys_of(*, actor: Membership) -> QuerySet[ApiKey]:
    """The organisation's keys, newest first, for the keys page (which checks the role first)."""
    return api_key_policy.scope(actor).select_related("created_by", "revoked_by")


def api_key_get(*, actor: Membership, key_id: int) -> ApiKey:
    """A key of the actor's organisation; ApiKey.DoesNotExist (404) for any other."""
    return api_keys_of(actor=actor).get(pk=key_id)


def site_of(*, actor: Membership, site_id: int) -> Site | None:
    """One of the actor's organisation's sites, or None if the id names no such site."""
    return Site.objects.filter(organisation_id=actor.organisation_id, pk=site_id).first()


def key_by_hash(secret_hash: str) -> ApiKey | None:
    """The key whose secret hashes to this (revoked or not), with what acting through it needs. Used only to
    authenticate a request, before there is any actor."""
    return ApiKey.objects.select_related("organisation", "user").filter(secret_hash=secret_hash).first()


def key_window(key_id: int) -> tuple:
    return ApiKey.objects.filter(pk=key_id).values_list("window_started_at", "window_requests").get()

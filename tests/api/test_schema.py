"""The API against its own OpenAPI document, with generated requests (schemathesis), through the WSGI app: with a
real key, no request makes a server error and no answer breaks the schema."""

from datetime import timedelta

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from attunement.members.models import Invitation, token_digest
from attunement.organisations.models import Role

from .conftest import bearer, make_key

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def _one_database_connection(settings):
    """As Django's own test client does: the WSGI handler must not close the connection holding the test's
    transaction at the end of each request."""
    settings.API_REQUESTS_PER_MINUTE = 100_000
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _real_records(case, world):
    """Most generated ids name nothing: send half the requests about real people, members and invitations (our
    own, and another organisation's), chosen from the generated id, so the answers with data are checked too."""
    real = {
        "person_id": [world.mine, world.unassigned, world.foreign],
        "membership_id": [world.practitioner, world.members[Role.FAMILY], world.other_coordinator],
        "invitation_id": _invitations(world),
    }
    for name, records in real.items():
        generated = case.path_parameters.get(name) if case.path_parameters else None
        if isinstance(generated, int) and generated % 2 == 0:
            case.path_parameters[name] = records[(generated // 2) % len(records)].pk


def _invitations(world):
    """A waiting invitation in each organisation, made once for the whole test."""
    if not hasattr(world, "invitations"):
        world.invitations = [
            Invitation.objects.create(
                organisation=organisation,
                email=f"invited{organisation.pk}@example.org",
                role=Role.PRACTITIONER,
                token_digest=token_digest(f"schema{organisation.pk}"),
                sent_at=timezone.now(),
                expires_at=timezone.now() + timedelta(days=7),
            )
            for organisation in (world.school, world.other)
        ]
    return world.invitations


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_to_its_schema_and_never_fails(case, world, django_user_model):
    for role in (Role.COORDINATOR, Role.EXTERNAL):
        key, secret = _key(world, role)
        _real_records(case, world)
        case.call_and_validate(headers=bearer(secret), checks=[not_a_server_error, response_schema_conformance])


def _key(world, role):
    """One key per role for the whole test (hypothesis runs the body many times on one database)."""
    cache = world.__dict__.setdefault("api_keys", {})
    if role not in cache:
        cache[role] = make_key(world, role)
    return cache[role]

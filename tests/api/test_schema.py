"""The API against its own OpenAPI document, with generated requests (schemathesis), through the WSGI app: with a
real key, no request makes a server error and no answer breaks the schema."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

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


def _real_person(case, world):
    """Most generated ids name no one: send half the requests about real people (our own, and another
    organisation's), chosen from the generated id, so the answers with data are checked too."""
    generated = case.path_parameters.get("person_id") if case.path_parameters else None
    if isinstance(generated, int) and generated % 2 == 0:
        people = [world.mine, world.unassigned, world.foreign]
        case.path_parameters["person_id"] = people[(generated // 2) % len(people)].pk


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_to_its_schema_and_never_fails(case, world, django_user_model):
    for role in (Role.COORDINATOR, Role.EXTERNAL):
        key, secret = _key(world, role)
        _real_person(case, world)
        case.call_and_validate(headers=bearer(secret), checks=[not_a_server_error, response_schema_conformance])


def _key(world, role):
    """One key per role for the whole test (hypothesis runs the body many times on one database)."""
    cache = world.__dict__.setdefault("api_keys", {})
    if role not in cache:
        cache[role] = make_key(world, role)
    return cache[role]

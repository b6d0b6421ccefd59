"""Every means page, for every role: staff only, leaders' pages for leaders, and nobody reaches a record
they may not see. The same records the URL walk in tests/test_isolation.py will use (`means_records_of`)."""

from datetime import timedelta

import pytest
from django.urls import get_resolver, reverse

from attunement.means import selectors
from attunement.means.dates import add_months
from attunement.means.policies import LEADER_ROLES
from attunement.organisations.models import Role

from ..conftest import login, shown
from .conftest import a_completion, means_records_of, today

LEADER_PAGES = {"training_matrix", "courses", "self_report_trends"}


def means_routes():
    resolver = get_resolver().namespace_dict["means"][1]
    return [(name, list(pattern.pattern.regex.groupindex)) for name, pattern in _patterns(resolver)]


def _patterns(resolver):
    for pattern in resolver.url_patterns:
        yield pattern.name, pattern


@pytest.mark.django_db
def test_pages_without_a_record_answer_by_role(world, client):
    means_records_of(world, world.other_coordinator)  # another organisation's "Secret" records exist
    routes = [name for name, params in means_routes() if not params]
    assert "index" in routes and "training_matrix" in routes
    for role, member in world.members.items():
        login(client, member)
        for name in routes:
            response = client.get(reverse(f"means:{name}"))
            if role in (Role.FAMILY, Role.EXTERNAL):
                expected = 403
            elif name in LEADER_PAGES:
                expected = 200 if role in LEADER_ROLES else 403
            else:
                expected = 200
            assert response.status_code == expected, f"{role} on {name}: {response.status_code}"
            assert "Secret" not in shown(response) and "Faro" not in shown(response)


@pytest.mark.django_db
def test_every_url_with_a_record_refuses_records_the_user_may_not_see(world, client):
    routes = [(name, params) for name, params in means_routes() if params]
    assert routes
    cases = [
        (world.coordinator, means_records_of(world, world.other_coordinator), "another organisation", (404, 405)),
        (world.practitioner, means_records_of(world, world.coordinator), "a colleague", (403, 404, 405)),
        (world.members[Role.FAMILY], means_records_of(world, world.coordinator), "a family member", (403, 405)),
    ]
    for member, records, what, allowed in cases:
        login(client, member)
        for name, params in routes:
            url = reverse(f"means:{name}", kwargs={p: records[p] for p in params})
            for method in (client.get, client.post):
                response = method(url)
                assert response.status_code in allowed, f"{member.role} reached {what} at {url}: {response.status_code}"
                assert b"Secret" not in response.content


@pytest.mark.django_db
def test_the_dashboard_selectors_return_plain_data_scoped_to_the_actor(world):
    a_completion(world, world.practitioner, course="Yearly refresher", days_ago=400)
    a_completion(world, world.practitioner, course="Induction", days_ago=400)
    overdue = selectors.training_overdue(actor=world.practitioner)
    assert [(r["course"], r["due_on"]) for r in overdue] == [
        ("Yearly refresher", add_months(today() - timedelta(days=400), 12))
    ]
    everyone = selectors.training_overdue(actor=world.coordinator)
    names = {r["name"] for r in everyone}
    assert str(world.practitioner.user) in names and str(world.coordinator.user) in names  # never did Induction
    assert str(world.members[Role.FAMILY].user) not in names
    assert selectors.training_overdue(actor=world.members[Role.FAMILY]) == []
    assert {r["member_id"] for r in selectors.training_overdue(actor=world.other_coordinator)} == {
        world.other_coordinator.pk
    }
    assert all(isinstance(r["name"], str) and isinstance(r["course"], str) for r in everyone)

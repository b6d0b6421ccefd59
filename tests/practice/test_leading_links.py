"""The home page's "Leading Intensive Interaction" list offers each leader the pages their role may open, including
those of apps above practice (the API keys, the term dates), and no others."""

import pytest
from django.urls import reverse

from attunement.organisations.models import Role
from tests.conftest import login

LINKS = {
    "members": reverse("members:list"),
    "single sign-on": reverse("members:single_sign_on"),
    "API keys": reverse("api_keys:list"),
    "term dates": reverse("outcomes:terms"),
}


@pytest.mark.parametrize(
    ("role", "offered"),
    [
        (Role.ADMINISTRATOR, {"members", "single sign-on", "API keys", "term dates"}),
        (Role.COORDINATOR, {"members", "term dates"}),
        (Role.MANAGER, set()),
        (Role.PRACTITIONER, set()),
    ],
)
def test_each_leader_is_offered_the_pages_their_role_may_open(world, client, role, offered):
    home = login(client, world.members[role]).get(reverse("home")).content.decode()
    shown = {name for name, url in LINKS.items() if f'href="{url}"' in home}
    assert shown == offered
    for name in shown:
        assert client.get(LINKS[name]).status_code == 200, name

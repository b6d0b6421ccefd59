"""Two tabs on the same ethogram code: the stale change is refused, the typed text stays in its form, and the
first change is kept."""

import html
import re

import pytest
from django.urls import reverse

from attunement.codings.selectors import ethogram_codes

from ..conftest import login


@pytest.mark.django_db
def test_a_stale_change_to_an_ethogram_code_is_refused(world, client):
    code = ethogram_codes(actor=world.coordinator).get(key="L-smiles")
    url = reverse("reflection:ethogram_code_change", kwargs={"code_id": code.pk})
    login(client, world.coordinator)

    def opened(page):
        return re.search(r'name="version" value="(\w+)"', page[page.index(f'action="{url}"') :]).group(1)

    first = opened(client.get(reverse("reflection:ethogram")).content.decode())
    assert (
        client.post(url, {"action": "change", "name": "Learner beams", "shortcut": "x", "version": first}).status_code
        == 302
    )

    for typed in ("Learner grins", "Third tab"):
        refused = client.post(url, {"action": "change", "name": typed, "shortcut": "y", "version": first})
        page = html.unescape(refused.content.decode())
        assert refused.status_code == 409
        assert "Someone else saved this code while you were editing it" in page
        assert f'id="name-{code.pk}" name="name" value="{typed}"' in page
        assert f'id="shortcut-{code.pk}" name="shortcut" value="y"' in page
        code.refresh_from_db()
        assert (code.name, code.shortcut) == ("Learner beams", "x")

    again = {"action": "change", "name": "Third tab", "shortcut": "y", "version": opened(page)}
    assert client.post(url, again).status_code == 302
    code.refresh_from_db()
    assert (code.name, code.shortcut) == ("Third tab", "y")

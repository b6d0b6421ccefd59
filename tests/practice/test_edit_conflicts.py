"""Two tabs on the organisation's settings, a Fundamental's name or a scale's wording: the stale save is
refused in plain words, the typed text stays on the page, and the first save is kept."""

import html
import re

import pytest
from django.urls import reverse

from attunement.practice.models import Fundamental

from ..conftest import login

CLASH = "Someone else saved {} while you were editing it, so your changes were not saved"


def text(response) -> str:
    return html.unescape(response.content.decode())


def token(page: str, after: str = "") -> str:
    return re.search(r'name="version" value="([0-9a-f]+)"', page[page.index(after) :] if after else page).group(1)


@pytest.mark.django_db
def test_organisation_settings(world, client):
    login(client, world.coordinator)
    url = reverse("practice:settings")
    first, second = text(client.get(url)), text(client.get(url))
    scale = world.school.scales.first()
    saved = {"learner_word": "person", "weekly_session_target": "4", "progress_scale": scale.pk, "correction_days": 7}
    assert client.post(url, {**saved, "version": token(first)}).status_code == 302

    stale = {"learner_word": "learner", "weekly_session_target": "9", "progress_scale": scale.pk, "correction_days": 7}
    for _ in range(2):  # two stale saves, both refused
        refused = client.post(url, {**stale, "version": token(second)})
        page = text(refused)
        assert refused.status_code == 409
        assert CLASH.format("these settings") in page
        assert 'name="weekly_session_target" value="9"' in page
        assert "What the other person saved" in page
        world.school.refresh_from_db()
        assert (world.school.learner_word, world.school.weekly_session_target) == ("person", 4)

    # Saving again from the redrawn page goes through.
    assert client.post(url, {**stale, "version": token(page)}).status_code == 302
    world.school.refresh_from_db()
    assert world.school.weekly_session_target == 9


@pytest.mark.django_db
def test_a_fundamentals_name(world, client):
    fundamental = Fundamental.objects.filter(organisation=world.school).first()
    original = fundamental.name
    login(client, world.coordinator)
    catalogue = text(client.get(reverse("practice:fundamentals")))
    url = reverse("practice:fundamental_change", kwargs={"fundamental_id": fundamental.pk})
    opened = token(catalogue, after=f'action="{url}"')
    assert client.post(url, {"action": "rename", "name": "Shared attention", "version": opened}).status_code == 302

    for typed in ("Joint attention, my words", "A third tab"):
        refused = client.post(url, {"action": "rename", "name": typed, "version": opened})
        page = text(refused)
        assert refused.status_code == 409
        assert CLASH.format("this Fundamental's name") in page
        assert f'id="rename-{fundamental.pk}" name="name" value="{typed}"' in page
        fundamental.refresh_from_db()
        assert fundamental.name == "Shared attention" != original

    fresh = token(page, after=f'action="{url}"')
    assert client.post(url, {"action": "rename", "name": "A third tab", "version": fresh}).status_code == 302
    fundamental.refresh_from_db()
    assert fundamental.name == "A third tab"


@pytest.mark.django_db
def test_a_scales_wording(world, client):
    scale = world.school.progress_scale
    levels = list(scale.levels.all())
    login(client, world.coordinator)
    url = reverse("practice:scale_wording", kwargs={"scale_id": scale.pk})
    opened = token(text(client.get(url)))
    words = {f"label-{lv.pk}": lv.label for lv in levels}
    first = words | {f"label-{levels[0].pk}": "Not yet"}
    assert client.post(url, first | {"version": opened}).status_code == 302

    stale = words | {f"label-{levels[1].pk}": "Starting out"}
    for _ in range(2):
        refused = client.post(url, stale | {"version": opened})
        page = text(refused)
        assert refused.status_code == 409
        assert CLASH.format("the wording of this scale") in page
        assert f'name="label-{levels[1].pk}" value="Starting out"' in page
        assert "What the other person saved" in page and "Not yet" in page
        assert list(scale.levels.values_list("label", flat=True))[:2] == ["Not yet", levels[1].label]

    # A mistake in the redrawn form keeps the token it was opened with; fixing it then saves.
    fresh = token(page)
    blank = stale | {f"label-{levels[2].pk}": "", "version": fresh}
    assert token(text(client.post(url, blank))) == fresh
    assert client.post(url, stale | {"version": fresh}).status_code == 302
    assert list(scale.levels.values_list("label", flat=True))[:2] == [levels[0].label, "Starting out"]

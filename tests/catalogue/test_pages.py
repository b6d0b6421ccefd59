"""The catalogue pages say what was done in the entry's new words, and explain a name already taken."""

import pytest
from django.urls import reverse

from attunement.codings.services import ethogram_code_edit_token
from attunement.means.services import course_edit_token
from attunement.practice.services import fundamental_edit_token

from ..conftest import login


def _flash(client, response) -> str:
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_the_message_after_a_change_names_the_entry_by_its_new_name(world, client):
    login(client, world.coordinator)
    fundamental = world.school.fundamentals.get(name="Trust and empathy")
    response = client.post(
        reverse("practice:fundamental_change", args=[fundamental.pk]),
        {"action": "rename", "name": "Trust,  and empathy", "version": fundamental_edit_token(fundamental)},
    )
    assert "Renamed to “Trust, and empathy”" in _flash(client, response)

    course = world.school.courses.get(name="Induction")
    prefix = f"course-{course.pk}"
    response = client.post(
        reverse("means:course_change", args=[course.pk]),
        {
            "action": "save",
            f"{prefix}-name": "Staff induction",
            f"{prefix}-required": "on",
            f"{prefix}-version": course_edit_token(course),
        },
    )
    assert "“Staff induction” is saved" in _flash(client, response)

    code = world.school.ethogram_codes.get(key="L-smiles")
    response = client.post(
        reverse("reflection:ethogram_code_change", args=[code.pk]),
        {"action": "change", "name": "Learner beams", "shortcut": "d", "version": ethogram_code_edit_token(code)},
    )
    assert "L-smiles is now “Learner beams”" in _flash(client, response)


@pytest.mark.django_db
def test_adding_a_retired_name_again_points_to_use_again(world, client):
    login(client, world.coordinator)
    course = world.school.courses.get(name="Induction")
    client.post(reverse("means:course_change", args=[course.pk]), {"action": "retire"})
    response = client.post(reverse("means:courses"), {"name": "  INDUCTION "})
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is already a course called “Induction”, retired." in page and "Use again" in page
    assert world.school.courses.filter(name__iexact="induction").count() == 1


@pytest.mark.django_db
def test_each_list_offers_retire_or_use_again_named_for_a_screen_reader(world, client):
    login(client, world.coordinator)
    lists = [
        (reverse("practice:fundamentals"), world.school.fundamentals.get(name="Trust and empathy"), "name"),
        (reverse("means:courses"), world.school.courses.get(name="Induction"), "name"),
        (reverse("reflection:ethogram"), world.school.ethogram_codes.get(key="L-smiles"), "key"),
    ]
    for page, entry, label in lists:
        named = getattr(entry, label)
        assert f'aria-label="Retire {named}"' in client.get(page).content.decode()
        entry.retired_at = "2026-01-05T10:00:00Z"
        entry.save(update_fields=["retired_at"])
        shown = client.get(page).content.decode()
        assert f'aria-label="Use {named} again"' in shown and f'aria-label="Retire {named}"' not in shown

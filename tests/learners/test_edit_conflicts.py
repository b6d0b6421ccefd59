"""Two tabs on the same plan: the second save does not silently undo the first. It is refused with a plain
message, the text typed is still in the form, and saving again from there is a deliberate choice."""

import re

import pytest
from django.urls import reverse

from attunement.learners.services import plan_create

from ..conftest import login


def token(page: str) -> str:
    return re.search(r'name="version" value="([0-9a-f]+)"', page).group(1)


def form_values(page: str) -> dict:
    return dict(re.findall(r'<input type="text" name="(outcome_\d+)" value="([^"]*)"', page))


@pytest.fixture
def plan(world):
    return plan_create(
        actor=world.coordinator, learner=world.mine, kind="ehcp", title="EHCP 2026", outcomes=["Takes turns"]
    )


def edit_url(plan):
    return reverse("learners:plan_edit", kwargs={"learner_id": plan.learner_id, "plan_id": plan.pk})


@pytest.mark.django_db
def test_the_stale_save_of_a_plan_is_refused_and_keeps_what_was_typed(world, client, plan):
    outcome = plan.outcomes.get()
    login(client, world.coordinator)
    first_tab = client.get(edit_url(plan)).content.decode()
    second_tab = client.get(edit_url(plan)).content.decode()
    assert token(first_tab) == token(second_tab)

    saved = client.post(
        edit_url(plan),
        {
            "kind": "ehcp",
            "title": "EHCP 2026 (reviewed)",
            "is_active": "on",
            f"outcome_{outcome.pk}": "Takes turns with two adults",
            "new_outcomes": "Asks for more",
            "version": token(first_tab),
        },
    )
    assert saved.status_code == 302

    stale = {
        "kind": "care",
        "title": "My careful rewrite",
        "is_active": "on",
        f"outcome_{outcome.pk}": "Takes turns, my wording",
        "version": token(second_tab),
    }
    refused = client.post(edit_url(plan), stale)
    page = refused.content.decode().replace("&#x27;", "'")
    assert refused.status_code == 409
    assert "Someone else saved this plan while you were editing it, so your changes were not saved" in page
    assert 'value="My careful rewrite"' in page and "Takes turns, my wording" in page
    assert "What the other person saved" in page and "EHCP 2026 (reviewed)" in page
    plan.refresh_from_db()
    assert (plan.kind, plan.title) == ("ehcp", "EHCP 2026 (reviewed)")
    assert sorted(plan.outcomes.values_list("text", "is_active")) == [
        ("Asks for more", True),
        ("Takes turns with two adults", True),
    ]

    # A second stale save from another old tab is refused too.
    assert client.post(edit_url(plan), {**stale, "title": "Third tab"}).status_code == 409
    plan.refresh_from_db()
    assert plan.title == "EHCP 2026 (reviewed)"

    # Saving again from the redrawn form is a choice made knowing the other save; the outcome the other
    # person added is in that form, so it is not retired by it.
    added = plan.outcomes.get(text="Asks for more")
    assert form_values(page)[f"outcome_{added.pk}"] == "Asks for more"
    again = {**stale, "version": token(page), f"outcome_{added.pk}": "Asks for more"}
    assert client.post(edit_url(plan), again).status_code == 302
    plan.refresh_from_db()
    assert (plan.kind, plan.title) == ("care", "My careful rewrite")
    assert plan.outcomes.get(pk=added.pk).is_active


@pytest.mark.django_db
def test_a_plan_form_without_its_token_changes_nothing(world, client, plan):
    login(client, world.coordinator)
    response = client.post(edit_url(plan), {"kind": "care", "title": "No token", "is_active": "on"})
    assert response.status_code == 409
    plan.refresh_from_db()
    assert plan.title == "EHCP 2026"

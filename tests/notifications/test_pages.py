"""The notification pages, for every role: the "For you" list on the home page, the page of everything, the
settings page, and the unsubscribe link."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from attunement.notifications.models import Channel, Kind, Preference
from attunement.notifications.tokens import unsubscribe_token
from attunement.organisations.models import AuditEntry, Role
from attunement.practice.services import home_observation_add, session_record

from ..conftest import details, login, shown
from .conftest import consent

TOLD = {Role.PRACTITIONER, Role.COORDINATOR, Role.MANAGER, Role.THERAPIST, Role.ADMINISTRATOR, Role.FAMILY}


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["notifications:for_you", "notifications:settings"])
def test_every_role_is_answered_as_the_policy_says(world, client, name):
    url = reverse(name)
    assert client.get(url).status_code == 302  # signed out: to the login page
    for role, member in world.members.items():
        login(client, member)
        response = client.get(url)
        assert response.status_code == (200 if role in TOLD else 403), role
        if role not in TOLD:
            assert "Only members of staff and family members can" in response.content.decode()


@pytest.mark.django_db
def test_the_unsubscribe_page_answers_everyone_with_a_real_link_and_nobody_without(world, client):
    for role, member in world.members.items():
        login(client, member)
        assert client.get(reverse("notifications:unsubscribe", kwargs={"token": "made-up"})).status_code == 400
        url = reverse("notifications:unsubscribe", kwargs={"token": unsubscribe_token(member.pk)})
        assert client.get(url).status_code == 200, role
    client.logout()
    url = reverse("notifications:unsubscribe", kwargs={"token": unsubscribe_token(world.practitioner.pk)})
    assert client.get(url).status_code == 200
    for method in ("PUT", "DELETE", "PATCH"):
        assert client.generic(method, url).status_code == 405


@pytest.mark.django_db
def test_the_home_page_lists_what_needs_the_practitioner_with_a_link_to_it(world, client):
    home_observation_add(
        actor=world.members[Role.FAMILY], learner=world.mine, observed_on=timezone.localdate(), text="Hummed a tune"
    )
    login(client, world.practitioner)
    page = shown(client.get(reverse("home")))
    assert "For you" in page and "A note from home about Mina Test" in page
    assert reverse("learners:about", kwargs={"learner_id": world.mine.pk}) in page
    assert reverse("notifications:for_you") in page
    assert "Hummed" not in page
    everything = shown(client.get(reverse("notifications:for_you")))
    assert "A note from home about Mina Test" in everything
    login(client, world.other_coordinator)
    assert "Mina" not in shown(client.get(reverse("home")))


@pytest.mark.django_db
def test_a_family_member_sees_what_is_new_on_their_own_page(world, client):
    consent(world.mine, "family")
    session_record(actor=world.practitioner, learner=world.mine, details=details())
    login(client, world.members[Role.FAMILY])
    page = shown(client.get(reverse("practice:family_person", kwargs={"learner_id": world.mine.pk})))
    assert "For you" in page and "Mina Test: 1 new session" in page


@pytest.mark.django_db
def test_choosing_how_to_hear_saves_and_bad_input_changes_nothing(world, client):
    login(client, world.practitioner)
    page = client.get(reverse("notifications:settings"))
    assert "Notes from home" in page.content.decode()
    assert "Consent reviews" not in page.content.decode()  # practitioners do not renew consent
    choices = {kind: Channel.EMAIL for kind in ("actions", "video_shared", "video_reply", "training")}
    response = client.post(reverse("notifications:settings"), {**choices, "home_notes": "carrier pigeon"})
    assert response.status_code == 400 and "There is a problem" in response.content.decode()
    assert not Preference.objects.exists()
    response = client.post(reverse("notifications:settings"), {**choices, "home_notes": Channel.OFF}, follow=True)
    assert "Your notification choices are saved." in response.content.decode()
    assert list(Preference.objects.values_list("kind", "channel")) == [(Kind.HOME_NOTES, Channel.OFF)]
    assert AuditEntry.objects.filter(action="notifications.preferences_changed").count() == 1
    login(client, world.coordinator)
    assert "Consent reviews" in client.get(reverse("notifications:settings")).content.decode()


@pytest.mark.django_db
def test_the_account_menu_links_to_the_settings_for_those_told_things(world, client):
    for role, member in world.members.items():
        login(client, member)
        page = client.get(reverse("outcomes:summary") if role == Role.EXTERNAL else reverse("home"), follow=True)
        assert (reverse("notifications:settings") in page.content.decode()) == (role in TOLD), role


@pytest.mark.django_db
def test_the_home_page_shows_the_five_most_urgent_and_says_there_are_more(world, client):
    for day in range(7):
        home_observation_add(
            actor=world.members[Role.FAMILY],
            learner=world.mine,
            observed_on=timezone.localdate() - timedelta(days=day),
            text=f"Note {day}",
        )
    login(client, world.practitioner)
    page = shown(client.get(reverse("home")))
    box = page.split('id="for-you-heading"')[1].split("</section>")[0]
    assert box.count("for-you-item") == 5
    assert "Training you still need: Induction" in box  # due comes before news
    assert "See all that needs you (more than 5 things)" in box
    assert shown(client.get(reverse("notifications:for_you"))).count("A note from home about Mina Test") == 7

"""The API does what the pages do, through the same forms, services and selectors."""

import json
import uuid
from datetime import timedelta

import jsonschema_rs
import pytest
from django.urls import reverse
from django.utils import timezone

from attunement.learners.models import Group, Learner
from attunement.organisations.models import Role, Site
from attunement.practice.models import Session
from attunement.practice.services import too_few_minutes_message

from ..conftest import login
from .conftest import bearer, make_key


def _send(client, method, path, secret, body=None):
    return client.generic(
        method,
        f"/api/v1/{path}",
        json.dumps(body) if body is not None else "",
        "application/json",
        headers=bearer(secret),
    )


def _as_documented(client, response, path: str, method: str):
    """The answer's body fits what the API's own OpenAPI document says for its status (checked by jsonschema-rs,
    a JSON Schema validator of its own), and is returned."""
    document = client.get("/api/v1/openapi.json").json()
    answers = document["paths"][f"/api/v1/{path}"][method.lower()]["responses"]
    schema = answers[str(response.status_code)]["content"]["application/json"]["schema"]
    jsonschema_rs.Draft202012Validator({**schema, "components": document["components"]}).validate(response.json())
    return response.json()


def _session(world, **fields):
    return {
        "submission_key": str(uuid.uuid4()),
        "started_at": (timezone.now() - timedelta(minutes=30)).isoformat(),
        "minutes": 15,
        "partner_ids": [world.practitioner.user_id],
        "what_happened": "Rocking together by the window",
        **fields,
    }


@pytest.mark.django_db
def test_a_session_sent_twice_with_one_key_is_recorded_once_and_shows_on_the_timeline(world, client):
    _, secret = make_key(world)
    body = _session(world)
    first = _send(client, "POST", f"people/{world.mine.pk}/sessions", secret, body)
    again = _send(client, "POST", f"people/{world.mine.pk}/sessions", secret, body)
    assert (first.status_code, again.status_code) == (201, 200)
    for answer in (first, again):
        _as_documented(client, answer, "people/{person_id}/sessions", "POST")
    assert (first.json()["already_saved"], again.json()["already_saved"]) == (False, True)
    assert first.json()["id"] == again.json()["id"]
    assert Session.objects.filter(learner=world.mine).count() == 1
    login(client, world.practitioner)
    assert (
        "Rocking together by the window"
        in client.get(reverse("practice:timeline", args=[world.mine.pk])).content.decode()
    )


@pytest.mark.django_db
def test_a_session_is_checked_by_the_quick_logs_own_rules_and_nothing_is_saved_when_wrong(world, client):
    _, secret = make_key(world)
    path = f"people/{world.mine.pk}/sessions"
    too_short = _send(client, "POST", path, secret, _session(world, minutes=0))
    assert too_short.status_code == 400
    _as_documented(client, too_short, "people/{person_id}/sessions", "POST")
    assert {"field": "minutes", "message": too_few_minutes_message()} in too_short.json()["problems"]
    outsider = _send(client, "POST", path, secret, _session(world, partner_ids=[world.other_coordinator.user_id]))
    assert outsider.status_code == 400 and outsider.json()["problems"][0]["field"] == "partner_ids"
    long = _send(client, "POST", path, secret, _session(world, minutes=90))
    assert "tick “Yes, it really lasted this long”" in long.json()["problems"][0]["message"]
    assert Session.objects.count() == 0
    assert (
        _send(client, "POST", path, secret, _session(world, minutes=90, long_session_confirmed=True)).status_code == 201
    )


@pytest.mark.django_db
def test_never_seen_before_is_checked_against_the_persons_history(world, client):
    _, secret = make_key(world)
    path = f"people/{world.mine.pk}/sessions"
    new = [{"description": "Claps twice", "novelty": "new"}]
    assert _send(client, "POST", path, secret, _session(world, behaviours=new)).json()["session"]["firsts"] == [
        "Claps twice"
    ]
    seen = _send(client, "POST", path, secret, _session(world, behaviours=new))
    assert seen.status_code == 400 and "marked never seen before" in seen.json()["problems"][0]["message"]
    confirmed = [{**new[0], "confirmed_new": True}]
    assert _send(client, "POST", path, secret, _session(world, behaviours=confirmed)).status_code == 201
    _send(client, "POST", path, secret, _session(world))
    assert len(_send(client, "GET", path, secret).json()["sessions"]) == 3
    assert len(_send(client, "GET", f"{path}?firsts_only=true", secret).json()["sessions"]) == 1


@pytest.mark.django_db
def test_people_are_added_listed_by_site_and_changed_without_overwriting_anothers_change(world, client):
    north, south = (Site.objects.create(organisation=world.school, name=name) for name in ("North", "South"))
    _, secret = make_key(world)
    added = _send(client, "POST", "people", secret, {"first_name": "Noor", "last_name": "Ahmed", "site_id": north.pk})
    assert added.status_code == 201
    _send(client, "POST", "people", secret, {"first_name": "Sol", "last_name": "Ray", "site_id": south.pk})
    at_north = _send(client, "GET", f"people?site={north.pk}", secret).json()["people"]
    assert [p["first_name"] for p in at_north] == ["Noor"]
    foreign_site = Site.objects.create(organisation=world.other, name="Theirs")
    refused = _send(client, "POST", "people", secret, {"first_name": "X", "last_name": "Y", "site_id": foreign_site.pk})
    assert refused.status_code == 400 and refused.json()["problems"][0]["field"] == "site_id"
    person = added.json()
    changed = _send(
        client, "PATCH", f"people/{person['id']}", secret, {"version": person["version"], "preferred_name": "Nono"}
    )
    assert changed.status_code == 200 and changed.json()["preferred_name"] == "Nono"
    _as_documented(client, changed, "people/{person_id}", "PATCH")
    _as_documented(
        client, _send(client, "GET", f"people/{person['id']}/progress", secret), "people/{person_id}/progress", "GET"
    )
    stale = _send(
        client, "PATCH", f"people/{person['id']}", secret, {"version": person["version"], "last_name": "Lost"}
    )
    assert stale.status_code == 409 and "Someone else changed" in stale.json()["detail"]
    assert Learner.objects.get(pk=person["id"]).last_name == "Ahmed"
    login(client, world.coordinator)
    assert "Nono Ahmed" in client.get(reverse("learners:list")).content.decode()


@pytest.mark.django_db
def test_an_external_viewers_key_sees_the_anonymised_figures_and_no_one(world, client):
    _, secret = make_key(world, Role.EXTERNAL)
    people = _send(client, "GET", "people", secret)
    assert people.status_code == 403 and people.json()["detail"] == "Your role sees anonymised figures only."
    assert _send(client, "GET", f"people/{world.mine.pk}", secret).status_code == 404
    assert _send(client, "GET", "organisation/dashboard", secret).status_code == 403
    assert _send(client, "GET", "organisation/packs/management", secret).status_code == 403
    summary = _send(client, "GET", "organisation/summary", secret).json()
    assert summary["people"] == {"kind": "small", "value": None, "words": "fewer than 5"}


@pytest.mark.django_db
def test_a_pack_says_what_its_page_says(world, client):
    """Same figures, same hidden small numbers, same words: every figure the API gives is on the pack's page."""
    _, secret = make_key(world, Role.COORDINATOR)
    pack = _as_documented(
        client, _send(client, "GET", "organisation/packs/commissioners", secret), "organisation/packs/{audience}", "GET"
    )
    _as_documented(client, _send(client, "GET", "organisation/dashboard", secret), "organisation/dashboard", "GET")
    login(client, world.coordinator)
    page = client.get(reverse("outcomes:organisation_report", args=["commissioners"])).content.decode()
    figures = [figure for section in pack["sections"] for figure in section["figures"]]
    assert figures
    for figure in figures:
        assert figure["label"].replace("'", "&#x27;") in page
        assert figure["figure"]["words"] in page
        assert figure["figure"]["kind"] != "shown" or figure["key"] not in ("people", "target", "new")


@pytest.mark.django_db
def test_a_change_through_the_api_keeps_the_class_and_identifier_it_does_not_name(world, client):
    _, secret = make_key(world)
    red = Group.objects.create(organisation=world.school, name="Red class")
    blue = Group.objects.create(organisation=world.school, name="Blue class")
    made = _send(client, "POST", "people", secret, {"first_name": "Ola", "last_name": "Test", "group_id": red.pk})
    assert made.status_code == 201
    person = _as_documented(client, made, "people", "POST")
    assert person["group"] == {"id": red.pk, "name": "Red class"}
    Learner.objects.filter(pk=person["id"]).update(identifier="UPN-123")

    read = _send(client, "GET", f"people/{person['id']}", secret).json()
    renamed = _send(
        client, "PATCH", f"people/{person['id']}", secret, {"version": read["version"], "first_name": "Olu"}
    )
    assert renamed.status_code == 200
    after = renamed.json()
    assert (after["first_name"], after["group"]["id"], after["identifier"]) == ("Olu", red.pk, "UPN-123")

    moved = _send(client, "PATCH", f"people/{person['id']}", secret, {"version": after["version"], "group_id": blue.pk})
    assert moved.json()["group"]["id"] == blue.pk
    in_blue = _send(client, "GET", f"people?group={blue.pk}", secret).json()["people"]
    in_red = _send(client, "GET", f"people?group={red.pk}", secret).json()["people"]
    assert [p["id"] for p in in_blue] == [person["id"]] and in_red == []

    foreign = Group.objects.create(organisation=world.other, name="Elsewhere")
    refused = _send(
        client, "PATCH", f"people/{person['id']}", secret, {"version": moved.json()["version"], "group_id": foreign.pk}
    )
    assert refused.status_code == 400
    assert Learner.objects.get(pk=person["id"]).group_id == blue.pk

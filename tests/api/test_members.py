"""Members and invitations through the API: the members page's own forms, services and policy, through a key."""

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from attunement.api.services import api_key_revoke
from attunement.learners.models import Assignment
from attunement.members.models import Invitation
from attunement.organisations.models import AuditEntry, Membership, Role, Site
from tests.smtp import SmtpServer, body

from .conftest import bearer, make_key
from .test_endpoints import _as_documented


def _send(client, method, path, secret, payload=None):
    return client.generic(
        method,
        f"/api/v1/{path}",
        json.dumps(payload) if payload is not None else "",
        "application/json",
        headers=bearer(secret),
    )


@pytest.fixture
def smtp(settings):
    with SmtpServer() as server:
        for name, value in server.django_settings.items():
            setattr(settings, name, value)
        yield server


@pytest.mark.django_db
def test_an_invitation_sent_through_the_api_arrives_by_email_and_its_link_lets_the_person_join(
    world, client, smtp, settings
):
    settings.SITE_URL = "https://attunement.example/"
    key, secret = make_key(world, Role.COORDINATOR, name="HR system")
    sent = _send(
        client,
        "POST",
        "invitations",
        secret,
        {
            "email": "New.Starter@Example.org",
            "first_name": "Nia",
            "role": "practitioner",
            "person_ids": [world.mine.pk],
        },
    )
    assert sent.status_code == 201, sent.content
    answer = _as_documented(client, sent, "invitations", "POST")
    assert (answer["email"], answer["state"], answer["invited_by"]) == (
        "new.starter@example.org",
        "waiting",
        str(key.user),
    )
    assert answer["people"] == [{"id": world.mine.pk, "name": "Mina Test"}]

    (message,) = smtp.messages
    assert message["X-Envelope-To"] == "new.starter@example.org"
    text = body(message)
    assert "Test School has invited you to join them on Attunement as a practitioner." in text
    assert "invalid" not in text  # the key's own address is never offered as someone to write to
    (link,) = re.findall(r"https://attunement\.example/\S+", text)
    path = link.removeprefix("https://attunement.example")
    opened = client.get(path)
    assert opened.status_code == 200
    assert "You are invited to Attunement as a practitioner" in opened.content.decode()
    assert "API key" not in opened.content.decode()
    joined = client.post(
        path,
        {
            "first_name": "Nia",
            "last_name": "Newton",
            "password1": "a-long-walk-by-the-sea-42",
            "password2": "a-long-walk-by-the-sea-42",
        },
    )
    assert joined.status_code == 302
    member = Membership.objects.get(user__email="new.starter@example.org", organisation=world.school)
    assert member.role == Role.PRACTITIONER
    assert Assignment.objects.filter(user=member.user, learner=world.mine).exists()
    assert AuditEntry.objects.filter(action="member.invited", actor_id=key.user_id).count() == 1
    assert client.get(path).status_code == 404  # the link works once


@pytest.mark.django_db
def test_the_members_list_shows_everyone_of_the_organisation_and_no_key(world, client):
    key, secret = make_key(world)
    listed = _send(client, "GET", "members", secret)
    answer = _as_documented(client, listed, "members", "GET")
    emails = {member["email"] for member in answer["members"]}
    assert emails == {member.user.email for member in world.members.values()}
    assert key.user.email not in emails and world.other_coordinator.user.email not in emails
    practitioner = next(m for m in answer["members"] if m["id"] == world.practitioner.pk)
    assert (practitioner["role"], practitioner["people"], practitioner["access_ended"]) == ("practitioner", 1, False)
    assert practitioner["last_sign_in"] is None


@pytest.mark.django_db
def test_a_member_is_changed_through_the_service_and_the_change_is_audited(world, client):
    key, secret = make_key(world)
    site = Site.objects.create(organisation=world.school, name="North campus")
    path = f"members/{world.practitioner.pk}"
    changed = _send(
        client, "PATCH", path, secret, {"role": "therapist", "site_id": site.pk, "person_ids": [world.unassigned.pk]}
    )
    assert changed.status_code == 200, changed.content
    answer = _as_documented(client, changed, "members/{membership_id}", "PATCH")
    assert (answer["role"], answer["site"]["name"]) == ("therapist", "North campus")
    assert answer["linked_people"] == [{"id": world.unassigned.pk, "name": "Una Test"}]
    entry = AuditEntry.objects.get(action="member.changed", actor_id=key.user_id)
    assert entry.detail["after"] == {"role": "therapist", "site": site.pk, "people": [world.unassigned.pk]}

    # Only what is sent changes: the role alone leaves the site and the people as they are.
    again = _send(client, "PATCH", path, secret, {"role": "practitioner"}).json()
    assert (again["role"], again["site"]["id"], [p["id"] for p in again["linked_people"]]) == (
        "practitioner",
        site.pk,
        [world.unassigned.pk],
    )


@pytest.mark.django_db
def test_bad_input_is_refused_in_plain_words_and_changes_nothing(world, client):
    _, secret = make_key(world)
    foreign_site = Site.objects.create(organisation=world.other, name="Elsewhere")
    refused = _send(client, "POST", "invitations", secret, {"email": "not an address", "role": "practitioner"})
    assert refused.status_code == 400
    assert _as_documented(client, refused, "invitations", "POST")["problems"][0]["field"] == "email"
    for payload in (
        {"email": "fam@example.org", "role": "family"},  # a family member needs someone to be linked to
        {"email": "x@example.org", "role": "practitioner", "person_ids": [world.foreign.pk]},
        {"email": "x@example.org", "role": "practitioner", "site_id": foreign_site.pk},
        {"email": "x@example.org", "role": "chef"},
    ):
        answer = _send(client, "POST", "invitations", secret, payload)
        assert answer.status_code == 400, payload
        assert answer.json()["problems"] and answer.json()["detail"].startswith("Nothing was saved")
    assert not Invitation.objects.exists()
    family = _send(client, "PATCH", f"members/{world.members[Role.FAMILY].pk}", secret, {"person_ids": []})
    assert family.status_code == 400
    assert "at least one" in family.json()["problems"][0]["message"]
    assert Assignment.objects.filter(user=world.members[Role.FAMILY].user, ends_on__isnull=True).exists()
    unlinked = _send(client, "PATCH", f"members/{world.members[Role.MANAGER].pk}", secret, {"role": "family"})
    assert unlinked.status_code == 400 and "at least one" in unlinked.json()["problems"][0]["message"]
    assert Membership.objects.get(pk=world.members[Role.MANAGER].pk).role == Role.MANAGER


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.MANAGER, Role.EXTERNAL])
def test_a_key_whose_role_may_not_manage_members_is_refused_in_the_policys_words(world, client, role):
    _, secret = make_key(world, role)
    refusals = {
        ("GET", "members"): "Only co-ordinators and administrators can see the organisation's members.",
        ("PATCH", f"members/{world.practitioner.pk}"): "Only co-ordinators and administrators can change what a "
        "member may do.",
        ("POST", f"members/{world.practitioner.pk}/end-access"): "Only co-ordinators and administrators can end a "
        "member's access.",
        ("POST", "invitations"): "Only co-ordinators and administrators can invite people.",
    }
    for (method, path), words in refusals.items():
        answer = _send(client, method, path, secret, {"email": "x@example.org", "role": "practitioner"})
        assert (answer.status_code, answer.json()["detail"]) == (403, words), path
    assert Membership.objects.get(pk=world.practitioner.pk).is_active
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_only_an_administrators_key_may_make_or_unmake_an_administrator(world, client):
    _, coordinator = make_key(world, Role.COORDINATOR)
    _, administrator = make_key(world, Role.ADMINISTRATOR)
    promote = {"role": "administrator"}
    refused = _send(client, "PATCH", f"members/{world.practitioner.pk}", coordinator, promote)
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "Only administrators can make someone an administrator or change an administrator's access."
    )
    admin_member = world.members[Role.ADMINISTRATOR]
    assert _send(client, "POST", f"members/{admin_member.pk}/end-access", coordinator).status_code == 403
    assert _send(client, "PATCH", f"members/{world.practitioner.pk}", administrator, promote).status_code == 200
    assert Membership.objects.get(pk=world.practitioner.pk).role == Role.ADMINISTRATOR


@pytest.mark.django_db
def test_ending_access_ends_links_and_sign_in_and_is_audited(world, client):
    key, secret = make_key(world)
    ended = _send(client, "POST", f"members/{world.practitioner.pk}/end-access", secret)
    answer = _as_documented(client, ended, "members/{membership_id}/end-access", "POST")
    assert (answer["access_ended"], answer["people"], answer["linked_people"]) == (True, 0, [])
    world.practitioner.user.refresh_from_db()
    assert not world.practitioner.user.is_active
    assert AuditEntry.objects.filter(action="member.access_ended", actor_id=key.user_id).count() == 1
    assert _send(client, "POST", f"members/{world.practitioner.pk}/end-access", secret).status_code == 200
    assert AuditEntry.objects.filter(action="member.access_ended").count() == 1
    conflict = _send(client, "PATCH", f"members/{world.practitioner.pk}", secret, {"role": "therapist"})
    assert conflict.status_code == 409
    assert conflict.json()["detail"] == "This member's access has ended. To bring them back, invite them again."


@pytest.mark.django_db
def test_an_invitation_is_sent_again_and_withdrawn_and_a_second_invitation_conflicts(world, client, smtp):
    _, secret = make_key(world)
    made = _send(client, "POST", "invitations", secret, {"email": "twice@example.org", "role": "practitioner"}).json()
    twice = _send(client, "POST", "invitations", secret, {"email": "twice@example.org", "role": "therapist"})
    assert twice.status_code == 409
    assert _as_documented(client, twice, "invitations", "POST")["problems"][0]["field"] == "email"
    member = _send(client, "POST", "invitations", secret, {"email": world.practitioner.user.email, "role": "manager"})
    assert member.status_code == 409 and "already a member" in member.json()["detail"]

    before = Invitation.objects.get(pk=made["id"]).token_digest
    again = _send(client, "POST", f"invitations/{made['id']}/send-again", secret)
    assert again.status_code == 200 and Invitation.objects.get(pk=made["id"]).token_digest != before
    first_link, second_link = (re.search(r"http\S+", body(message)).group() for message in smtp.messages)
    assert first_link != second_link

    withdrawn = _send(client, "POST", f"invitations/{made['id']}/withdraw", secret)
    assert _as_documented(client, withdrawn, "invitations/{invitation_id}/withdraw", "POST")["state"] == "withdrawn"
    refused = _send(client, "POST", f"invitations/{made['id']}/send-again", secret)
    assert refused.status_code == 409 and "was withdrawn" in refused.json()["detail"]
    listed = _send(client, "GET", "invitations", secret)
    assert [i["state"] for i in _as_documented(client, listed, "invitations", "GET")["invitations"]] == ["withdrawn"]


@pytest.mark.django_db
def test_another_organisations_member_or_invitation_is_not_found(world, client):
    _, secret = make_key(world)
    theirs = Invitation.objects.create(
        organisation=world.other,
        email="theirs@example.org",
        role="practitioner",
        token_digest="x" * 64,
        sent_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=7),
    )
    for method, path in (
        ("GET", f"members/{world.other_coordinator.pk}"),
        ("PATCH", f"members/{world.other_coordinator.pk}"),
        ("POST", f"members/{world.other_coordinator.pk}/end-access"),
        ("POST", f"invitations/{theirs.pk}/send-again"),
        ("POST", f"invitations/{theirs.pk}/withdraw"),
    ):
        answer = _send(client, method, path, secret, {} if method == "PATCH" else None)
        assert answer.status_code == 404, path
    assert Membership.objects.get(pk=world.other_coordinator.pk).is_active
    theirs.refresh_from_db()
    assert theirs.withdrawn_at is None


@pytest.mark.django_db
def test_a_revoked_key_may_no_longer_invite(world, client, smtp):
    key, secret = make_key(world)
    api_key_revoke(actor=world.members[Role.ADMINISTRATOR], key=key)
    answer = _send(client, "POST", "invitations", secret, {"email": "late@example.org", "role": "practitioner"})
    assert answer.status_code == 401
    assert answer.json()["detail"] == "This API key has been revoked. Please ask an administrator for a new one."
    assert not Invitation.objects.exists() and not smtp.messages

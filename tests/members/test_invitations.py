"""Bringing people in by invitation, through the pages, with the e-mail read back from a real SMTP server."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from attunement.learners.models import Assignment
from attunement.members.models import Invitation
from attunement.organisations.models import AuditEntry, Membership, Role
from tests.conftest import login
from tests.smtp import SmtpServer, body

NEW_PASSWORD = "tide-pool-lantern-42"
LINK = re.compile(r"http://testserver(/invitation/[^\s]+/)")


@pytest.fixture
def smtp(settings):
    with SmtpServer() as server:
        for name, value in server.django_settings.items():
            setattr(settings, name, value)
        yield server


def invite(client, world, **overrides):
    data = {"email": "new.colleague@example.org", "first_name": "Noor", "last_name": "Ahmed", "role": "practitioner"}
    data.update(overrides)
    if "learners" not in overrides:
        data["learners"] = [world.unassigned.pk]
    return client.post(reverse("members:invite"), data)


def link_in(message) -> str:
    return LINK.search(body(message)).group(1)


def test_an_invited_colleague_sets_a_password_signs_in_and_sees_the_person_they_work_with(world, client, smtp):
    response = invite(login(client, world.coordinator), world)
    assert response.status_code == 302

    (message,) = smtp.messages
    assert message["To"] == "new.colleague@example.org"
    assert "Test School" in message["Subject"]
    text = body(message)
    assert "as a practitioner" in text
    assert "Una" not in text  # the people they will work with stay behind the sign-in

    newcomer = Client()
    page = newcomer.get(link_in(message))
    assert page.status_code == 200
    assert "Join Test School" in page.content.decode()
    made = newcomer.post(
        link_in(message),
        {"first_name": "Noor", "last_name": "Ahmed", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert made.status_code == 302

    signed_in = newcomer.post(
        reverse("account_login"), {"login": "new.colleague@example.org", "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302
    people = newcomer.get(reverse("learners:list")).content.decode()
    assert "Una" in people
    assert "Mina" not in people  # only the people they were linked to

    membership = Membership.objects.get(user__email="new.colleague@example.org")
    assert (membership.organisation, membership.role) == (world.school, Role.PRACTITIONER)
    assert AuditEntry.objects.filter(action="member.invited", actor=world.coordinator.user).exists()
    assert AuditEntry.objects.filter(action="member.joined", actor=membership.user).exists()


def test_the_link_works_once(world, client, smtp):
    invite(login(client, world.coordinator), world)
    link = link_in(smtp.messages[0])
    data = {"first_name": "Noor", "last_name": "Ahmed", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert Client().post(link, data).status_code == 302

    again = Client().post(link, {**data, "password1": "another-password-77", "password2": "another-password-77"})
    assert again.status_code == 404
    assert "already been used" in again.content.decode()
    assert get_user_model().objects.filter(email="new.colleague@example.org").count() == 1
    assert get_user_model().objects.get(email="new.colleague@example.org").check_password(NEW_PASSWORD)


def test_an_expired_link_is_refused_and_sending_again_makes_a_new_one_that_works(world, client, smtp):
    invite(login(client, world.coordinator), world)
    old_link = link_in(smtp.messages[0])
    invitation = Invitation.objects.get()
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    refused = Client().get(old_link)
    assert refused.status_code == 404
    assert "expired" in refused.content.decode()
    listed = client.get(reverse("members:list")).content.decode()
    assert "Expired on" in listed

    assert client.post(reverse("members:send_again", args=[invitation.pk])).status_code == 302
    assert len(smtp.messages) == 2
    new_link = link_in(smtp.messages[1])
    assert new_link != old_link
    assert Client().get(old_link).status_code == 404  # the old secret is gone
    assert Client().get(new_link).status_code == 200


def test_a_withdrawn_invitation_cannot_be_used(world, client, smtp):
    invite(login(client, world.coordinator), world)
    invitation = Invitation.objects.get()
    client.post(reverse("members:withdraw", args=[invitation.pk]))
    refused = Client().get(link_in(smtp.messages[0]))
    assert refused.status_code == 404
    assert "withdrawn" in refused.content.decode()
    assert AuditEntry.objects.filter(action="member.invitation_withdrawn").exists()


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"email": "not an address"}, "Enter a valid email address"),
        ({"email": "practitioner@{school}.example"}, "is already a member of Test School"),
        ({"role": "family", "learners": []}, "choose at least one"),
        ({"role": "administrator"}, None),  # a co-ordinator may not make administrators: refused, see below
    ],
)
def test_bad_invitations_say_why_and_change_nothing(world, client, smtp, overrides, field_message):
    login(client, world.coordinator)
    overrides = {k: v.format(school=world.school.pk) if isinstance(v, str) else v for k, v in overrides.items()}
    response = invite(client, world, **overrides)
    if field_message is None:
        assert response.status_code == 400  # the role is not among the choices offered
        assert "Select a valid choice" in response.content.decode()
    else:
        assert response.status_code == 400
        assert field_message in response.content.decode()
    assert not Invitation.objects.exists()
    assert smtp.messages == []


def test_inviting_someone_already_invited_points_to_send_again(world, client, smtp):
    login(client, world.coordinator)
    invite(client, world)
    second = invite(client, world)
    assert second.status_code == 400
    assert "was already invited" in second.content.decode()
    assert Invitation.objects.count() == 1
    assert len(smtp.messages) == 1


def test_a_person_of_another_organisation_cannot_be_given_to_the_newcomer(world, client, smtp):
    response = invite(login(client, world.coordinator), world, learners=[world.foreign.pk])
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_when_the_mail_server_is_down_nothing_is_saved_and_the_page_says_so(world, client, settings):
    from tests.smtp import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", free_port(), False
    response = invite(login(client, world.coordinator), world)
    assert response.status_code == 400
    assert "could not be sent" in response.content.decode()
    assert not Invitation.objects.exists()
    assert not AuditEntry.objects.filter(action="member.invited").exists()


def test_only_an_administrator_can_invite_an_administrator(world, client, smtp):
    login(client, world.members[Role.ADMINISTRATOR])
    assert invite(client, world, role="administrator", learners=[]).status_code == 302
    assert Invitation.objects.get().role == Role.ADMINISTRATOR


def test_a_weak_or_mismatched_password_is_refused_and_makes_no_account(world, client, smtp):
    invite(login(client, world.coordinator), world)
    link = link_in(smtp.messages[0])
    weak = Client().post(link, {"first_name": "N", "last_name": "A", "password1": "12345678", "password2": "12345678"})
    assert weak.status_code == 400
    mismatched = Client().post(
        link, {"first_name": "N", "last_name": "A", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"}
    )
    assert mismatched.status_code == 400
    assert "not the same" in mismatched.content.decode()
    assert not get_user_model().objects.filter(email="new.colleague@example.org").exists()
    assert Client().get(link).status_code == 200  # still usable


def test_someone_with_an_account_elsewhere_joins_with_it(world, client, smtp):
    elsewhere = world.other_coordinator.user
    invite(login(client, world.coordinator), world, email=elsewhere.email.upper(), role="therapist")
    link = link_in(smtp.messages[0])

    signed_out = Client().get(link)
    assert "Sign in with it" in signed_out.content.decode()

    stranger = login(Client(), world.practitioner)
    assert stranger.get(link).status_code == 403
    assert stranger.post(link).status_code == 403

    own = login(Client(), world.other_coordinator)
    assert own.post(link).status_code == 302
    joined = Membership.objects.get(user=elsewhere, organisation=world.school)
    assert joined.role == Role.THERAPIST
    assert Assignment.objects.filter(user=elsewhere, learner=world.unassigned).exists()
    assert Membership.objects.get(user=elsewhere, organisation=world.other).is_active  # still a member there

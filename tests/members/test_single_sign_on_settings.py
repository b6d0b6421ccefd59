"""Setting up an organisation's own sign-in, and the rules the sign-in itself follows."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from attunement.accounts.middleware import SECOND_STEP_BY_PROVIDER
from attunement.members.models import SingleSignOn
from attunement.members.single_sign_on import InvitedMembersOnly, verified_email
from attunement.organisations.models import AuditEntry, Role
from tests.conftest import login

GOOGLE = {"kind": "google", "client_id": "school-client", "client_secret": "s3cret", "enabled": "on"}


@pytest.mark.parametrize("role", list(Role))
def test_only_administrators_set_up_single_sign_on(world, client, role):
    login(client, world.members[role])
    page = client.get(reverse("members:single_sign_on"))
    saved = client.post(reverse("members:single_sign_on"), GOOGLE)
    if role == Role.ADMINISTRATOR:
        assert page.status_code == 200 and saved.status_code == 302
        assert SingleSignOn.objects.get().organisation == world.school
    else:
        assert page.status_code == 403 and saved.status_code == 403
        assert "Only administrators can set up single sign-on" in page.content.decode()
        assert not SingleSignOn.objects.exists()


def test_the_page_gives_the_addresses_and_keeps_the_secret_when_left_blank(world, client):
    login(client, world.members[Role.ADMINISTRATOR])
    client.post(reverse("members:single_sign_on"), GOOGLE)
    config = SingleSignOn.objects.get()
    page = client.get(reverse("members:single_sign_on")).content.decode()
    assert f"/sign-in/{config.key}/" in page
    assert f"/accounts/oidc/sso-{config.key}/login/callback/" in page
    assert "s3cret" not in page  # the secret is never shown again
    client.post(reverse("members:single_sign_on"), {**GOOGLE, "client_secret": "", "provider_enforces_mfa": "on"})
    config.refresh_from_db()
    assert (config.client_secret, config.provider_enforces_mfa) == ("s3cret", True)
    assert AuditEntry.objects.filter(action="single_sign_on.changed").count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({**GOOGLE, "kind": "microsoft"}, "Enter your directory (tenant) ID"),
        ({**GOOGLE, "kind": "oidc"}, "Enter the provider"),
        ({**GOOGLE, "client_secret": ""}, "Enter the client secret"),
        ({**GOOGLE, "client_id": ""}, "This field is required"),
    ],
)
def test_an_incomplete_set_up_says_what_is_missing_and_saves_nothing(world, client, data, message):
    response = login(client, world.members[Role.ADMINISTRATOR]).post(reverse("members:single_sign_on"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SingleSignOn.objects.exists()


def test_only_switched_on_sign_ins_are_offered_and_each_names_its_organisation(world):
    on = SingleSignOn.objects.create(
        organisation=world.school, kind="google", client_id="a", client_secret="b", key="on"
    )
    SingleSignOn.objects.create(
        organisation=world.other, kind="google", client_id="c", client_secret="d", key="off", enabled=False
    )
    apps = InvitedMembersOnly().list_apps(None)
    assert [(app.provider_id, app.name, app.settings["server_url"]) for app in apps] == [
        (on.provider_id, "Test School", "https://accounts.google.com")
    ]


@pytest.mark.parametrize(
    ("kind", "claims", "email"),
    [
        ("google", {"email": "Sam@School.org", "email_verified": True}, "sam@school.org"),
        ("google", {"email": "sam@school.org", "email_verified": False}, ""),
        ("google", {"email": "sam@school.org"}, ""),
        ("oidc", {"email": "sam@school.org", "email_verified": "true"}, "sam@school.org"),
        ("microsoft", {"preferred_username": "sam@school.org"}, "sam@school.org"),
    ],
)
def test_only_an_address_the_provider_vouches_for_is_used(kind, claims, email):
    assert verified_email(SingleSignOn(kind=kind, tenant="t"), claims) == email


def test_a_leader_is_not_sent_to_set_up_a_second_step_when_the_provider_asks_for_one(world, client):
    leader = world.coordinator
    Authenticator.objects.filter(user=leader.user).delete()
    login(client, leader)
    assert "/accounts/2fa/totp/activate" in client.get(reverse("learners:list"))["Location"]
    session = client.session
    session[SECOND_STEP_BY_PROVIDER] = leader.organisation_id
    session.save()
    assert client.get(reverse("learners:list")).status_code == 200
    session[SECOND_STEP_BY_PROVIDER] = world.other.pk  # another organisation's provider says nothing about this one
    session.save()
    assert client.get(reverse("learners:list")).status_code == 302


def test_someone_who_only_ever_signed_in_through_the_provider_can_get_a_password_by_e_mail(world, client, mailoutbox):
    user = world.practitioner.user
    user.set_unusable_password()
    user.save()
    client.post(reverse("account_reset_password"), {"email": user.email})
    (message,) = mailoutbox
    assert message.to == [user.email]
    assert "/accounts/password/reset/key/" in message.body

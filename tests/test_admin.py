import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from attunement.accounts.two_factor import enrol_authenticator
from attunement.organisations.models import AuditEntry, Organisation

from .conftest import TOTP_SECRET


def administrator():
    user = get_user_model().objects.create_superuser(email="root@example.org", password="x-long-password-1")
    enrol_authenticator(user, TOTP_SECRET)
    return user


@pytest.mark.django_db
def test_an_administrator_adds_a_member_of_staff_who_can_then_log_in(client):
    client.force_login(administrator())
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "new@example.org",
            "first_name": "New",
            "last_name": "Person",
            "password1": "a-good-long-password",
            "password2": "a-good-long-password",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    response = client.post(reverse("account_login"), {"login": "new@example.org", "password": "a-good-long-password"})
    assert response.status_code == 302 and response.url == "/"


@pytest.mark.django_db
def test_a_new_organisation_made_in_the_admin_gets_its_fundamentals_and_audit_cannot_be_edited(client):
    client.force_login(administrator())
    client.post(
        reverse("admin:organisations_organisation_add"),
        {
            "name": "Brook House",
            "setting": "family",
            "weekly_session_target": "3",
            "correction_days": "7",
            "learner_word": "",
            "sites-TOTAL_FORMS": "0",
            "sites-INITIAL_FORMS": "0",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    organisation = Organisation.objects.get(name="Brook House")
    assert organisation.fundamentals.count() == 17 and organisation.progress_scale is not None
    entry = AuditEntry.objects.create(action="test")
    assert (
        client.post(reverse("admin:organisations_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_a_password_set_in_the_admin_is_logged_and_its_owner_told_by_email(client, mailoutbox):
    from attunement.accounts.models import SecurityEvent

    person = get_user_model().objects.create_user(email="sam@example.org", password="an-old-long-password")
    admin_user = administrator()
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[person.pk]),
        {"password1": "a-new-long-password-9", "password2": "a-new-long-password-9", "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    assert person.check_password("a-new-long-password-9")
    (event,) = SecurityEvent.objects.filter(user=person, kind=SecurityEvent.Kind.PASSWORD_CHANGED)
    assert admin_user.email in event.detail
    (mail,) = mailoutbox
    assert mail.to == ["sam@example.org"] and "password" in mail.body.lower()

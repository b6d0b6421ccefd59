import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from attunement.accounts.middleware import LAST_SEEN_KEY, STARTED_KEY
from attunement.accounts.two_factor import current_code

from ..conftest import PASSWORD, TOTP_SECRET

ROOT = Path(__file__).resolve().parents[2]


def log_in(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


@pytest.mark.django_db
class TestLockout:
    def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes_then_it_opens_again(self, world, client):
        email = world.practitioner.user.email
        for _ in range(4):
            assert log_in(client, email, "wrong-password").status_code == 200
        fifth = log_in(client, email, "wrong-password")
        assert fifth.status_code == 429 and "locked for 15 minutes" in fifth.content.decode()
        locked = log_in(client, email)
        assert "locked for 15 minutes" in locked.content.decode()
        assert "_auth_user_id" not in client.session
        AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
        response = log_in(client, email)
        assert response.status_code == 302 and response.url == "/"

    def test_the_admin_uses_the_same_login_so_lockout_and_the_second_step_apply(self, world, client):
        response = client.get(reverse("admin:login"))
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
        email = world.members["administrator"].user.email
        for _ in range(5):
            log_in(client, email, "wrong")
        assert "locked for 15 minutes" in log_in(client, email).content.decode()
        AccessAttempt.objects.all().delete()
        assert log_in(client, email).url == reverse("mfa_authenticate")

    def test_a_success_resets_the_count(self, world, client):
        email = world.practitioner.user.email
        for _ in range(4):
            log_in(client, email, "wrong-password")
        assert log_in(client, email).status_code == 302
        client.logout()
        for _ in range(4):
            log_in(client, email, "wrong-password")
        assert log_in(client, email).status_code == 302


@pytest.mark.django_db
class TestSecondStep:
    def test_a_coordinator_must_enter_a_code_and_a_wrong_code_is_refused(self, world, client):
        response = log_in(client, world.coordinator.user.email)
        assert response.url == reverse("mfa_authenticate")
        wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
        assert wrong.status_code == 200 and "_auth_user_id" not in client.session
        right = client.post(reverse("mfa_authenticate"), {"code": current_code(TOTP_SECRET)})
        assert right.status_code == 302 and client.get("/").status_code == 200

    def test_a_coordinator_without_a_second_step_is_sent_to_set_one_up_before_anything_else(self, world, client):
        from allauth.mfa.models import Authenticator

        Authenticator.objects.filter(user=world.coordinator.user).delete()
        log_in(client, world.coordinator.user.email)
        for url in ("/", reverse("learners:list"), reverse("audit")):
            assert client.get(url).url == reverse("mfa_activate_totp")
        assert client.get(reverse("mfa_activate_totp")).status_code == 200

    def test_a_practitioner_is_offered_but_not_forced(self, world, client):
        client.force_login(world.practitioner.user)
        assert client.get("/").status_code == 200
        assert client.get(reverse("mfa_index")).status_code == 200


@pytest.mark.django_db
class TestSessions:
    def test_a_busy_session_still_ends_at_its_absolute_lifetime(self, world, client, settings):
        settings.SESSION_COOKIE_AGE = 12 * 3600
        client.force_login(world.practitioner.user)
        assert client.get("/").status_code == 200
        session = client.session
        session[STARTED_KEY] = time.time() - 12 * 3600 - 60
        session.save()
        assert client.get("/").url.startswith(reverse("account_login"))

    def test_idle_for_longer_than_the_timeout_logs_out(self, world, client, settings):
        settings.IDLE_TIMEOUT_MINUTES = 30
        client.force_login(world.practitioner.user)
        assert client.get("/").status_code == 200
        session = client.session
        session[LAST_SEEN_KEY] = time.time() - 31 * 60
        session.save()
        response = client.get("/")
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
        assert "_auth_user_id" not in client.session

    def test_pages_carry_a_strict_content_security_policy_and_safe_cookies(self, world, client):
        response = client.get(reverse("account_login"))
        policy = response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in policy and "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        log_in(client, world.practitioner.user.email)
        cookie = client.cookies["sessionid"]
        assert cookie["httponly"] and cookie["samesite"] == "Lax"


@pytest.mark.django_db
def test_nobody_can_sign_themselves_up(client):
    response = client.get(reverse("account_signup"))
    assert "closed" in response.content.decode().lower()


@pytest.mark.django_db
def test_a_forgotten_password_is_reset_by_email(world, client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client.post(reverse("account_reset_password"), {"email": world.practitioner.user.email})
    assert len(mail.outbox) == 1
    link = next(word for word in mail.outbox[0].body.split() if "/accounts/password/reset/key/" in word)
    form_page = client.get(link, follow=True)
    client.post(
        form_page.redirect_chain[-1][0], {"password1": "a-brand-new-password-9", "password2": "a-brand-new-password-9"}
    )
    assert log_in(client, world.practitioner.user.email, "a-brand-new-password-9").status_code == 302


def test_the_production_settings_pass_djangos_deployment_checks():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "attunement.config.production",
        "SECRET_KEY": "x" * 60 + "y7Qz",
        "ALLOWED_HOSTS": "attunement.example.org",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:5432/unused",
        "ATTUNEMENT_VAR_DIR": "/tmp/attunement-deploy-check",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set only inside the browser tests' own process
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_anyone_who_can_open_the_admin_must_set_up_a_second_step(client):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user(email="ops@example.org", password=PASSWORD, is_staff=True)
    log_in(client, "ops@example.org")
    assert client.get(reverse("admin:index")).url == reverse("mfa_activate_totp")

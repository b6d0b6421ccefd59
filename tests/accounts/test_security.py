"""Signing in safely: the lock on wrong second-step codes, lockout per account and address, the security log and
its page, e-mails about changes, short-lived reset links, and the production settings' refusal of a weak key."""

import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from attunement.accounts.models import SecurityEvent
from attunement.accounts.two_factor import current_code
from attunement.organisations.models import Role
from attunement.records.services import retention_apply

from ..conftest import PASSWORD, TOTP_SECRET, login

ROOT = Path(__file__).resolve().parents[2]
Kind = SecurityEvent.Kind
HOME = "198.51.100.7"
ELSEWHERE = "203.0.113.9"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The library remembers used authenticator codes in the cache; records are numbered afresh in every test."""
    cache.clear()


def log_in(client, email, password=PASSWORD, address="127.0.0.1"):
    return client.post(reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=address)


def fresh_code(secret=TOTP_SECRET):
    """The code the app shows now, not in the last moments of its 30 seconds (it could expire on the way)."""
    left = 30 - time.time() % 30
    if left < 3:
        time.sleep(left + 0.1)
    return current_code(secret)


def send_code(client, code):
    return client.post(reverse("mfa_authenticate"), {"code": code})


def events(kind, **filters):
    return SecurityEvent.objects.filter(kind=kind, **filters)


def age_the_log(minutes):
    SecurityEvent.objects.update(at=timezone.now() - timedelta(minutes=minutes))


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.django_db
class TestSecondStepLock:
    def test_five_wrong_codes_pause_the_second_step_even_for_the_right_code_until_the_cool_off_ends(
        self,
        world,
        client,
    ):
        user = world.coordinator.user
        assert log_in(client, user.email).url == reverse("mfa_authenticate")
        for _ in range(5):
            wrong = send_code(client, "000000")
            assert wrong.status_code == 200 and not signed_in(client)
        assert "Too many wrong codes" in wrong.content.decode()

        right = send_code(client, fresh_code())
        assert right.status_code == 200 and not signed_in(client)
        assert "paused for 15 minutes" in right.content.decode()

        # Starting again with the password does not give fresh guesses: the lock is on the account.
        other = Client()
        assert log_in(other, user.email).url == reverse("mfa_authenticate")
        assert "Too many wrong codes" in send_code(other, fresh_code()).content.decode()
        assert not signed_in(other)

        assert events(Kind.SECOND_STEP_FAILED, user=user).count() == 5
        assert events(Kind.SECOND_STEP_LOCKED, user=user).count() == 1
        assert events(Kind.SECOND_STEP_REFUSED, user=user).count() == 2
        assert events(Kind.SECOND_STEP_FAILED).first().address == "127.0.0.1"

        age_the_log(16)
        opened = send_code(client, fresh_code())
        assert opened.status_code == 302 and signed_in(client)
        assert events(Kind.SIGN_IN, user=user).count() == 1

    def test_a_stream_of_guesses_is_checked_only_five_times_and_every_one_is_recorded(self, world, client):
        user = world.members[Role.ADMINISTRATOR].user
        log_in(client, user.email)
        for guess in range(400):
            send_code(client, f"{guess:06d}")
        assert events(Kind.SECOND_STEP_FAILED, user=user).count() == 5
        assert events(Kind.SECOND_STEP_REFUSED, user=user).count() == 395
        assert not signed_in(client)

    @pytest.mark.django_db(transaction=True)
    def test_guesses_sent_in_parallel_are_still_checked_only_five_times(self, world):
        """Eight clients share one half-finished login and send their guesses at the same moment."""
        starter = Client()
        log_in(starter, world.coordinator.user.email)
        cookie = starter.cookies["sessionid"].value
        answers = []

        def guess(n):
            guesser = Client()
            guesser.cookies["sessionid"] = cookie
            try:
                for i in range(10):
                    answers.append(send_code(guesser, f"{n}{i:05d}").status_code)
            finally:
                connection.close()

        threads = [threading.Thread(target=guess, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert answers == [200] * 80
        assert events(Kind.SECOND_STEP_FAILED).count() == 5
        assert events(Kind.SECOND_STEP_REFUSED).count() == 75

    def test_recovery_codes_are_locked_the_same_way_and_a_right_one_is_not_used_up_while_locked(self, world, client):
        user = world.coordinator.user
        codes = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES).wrap()
        good = codes.get_unused_codes()[0]
        log_in(client, user.email)
        for _ in range(5):
            send_code(client, "12345678")
        assert "Too many wrong codes" in send_code(client, good).content.decode()
        assert not signed_in(client)
        assert good in Authenticator.objects.get(pk=codes.instance.pk).wrap().get_unused_codes()
        age_the_log(16)
        assert send_code(client, good).status_code == 302 and signed_in(client)

    def test_confirming_who_you_are_while_signed_in_is_locked_the_same_way(self, world, client):
        user = world.coordinator.user
        login(client, world.coordinator)
        for _ in range(5):
            client.post(reverse("mfa_reauthenticate"), {"code": "000000"})
        refused = client.post(reverse("mfa_reauthenticate"), {"code": fresh_code()})
        assert refused.status_code == 200 and "Too many wrong codes" in refused.content.decode()
        assert events(Kind.SECOND_STEP_FAILED, user=user).count() == 5
        assert "While confirming who they are" in events(Kind.SECOND_STEP_FAILED, user=user).first().detail

    def test_signing_in_clears_the_count_of_wrong_codes(self, world, client):
        user = world.coordinator.user
        log_in(client, user.email)
        for _ in range(4):
            send_code(client, "000000")
        assert send_code(client, fresh_code()).status_code == 302
        client.logout()
        log_in(client, user.email)
        for _ in range(4):
            assert "Incorrect code" in send_code(client, "111111").content.decode()
        assert not events(Kind.SECOND_STEP_LOCKED).exists()
        recovery = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES).wrap()
        assert send_code(client, recovery.get_unused_codes()[0]).status_code == 302 and signed_in(client)


@pytest.mark.django_db
class TestLockoutPerAccountAndAddress:
    def test_wrong_passwords_from_elsewhere_do_not_lock_the_person_out(self, world, client):
        email = world.practitioner.user.email
        for _ in range(5):
            attempt = log_in(client, email, "wrong-password", address=ELSEWHERE)
        assert attempt.status_code == 429 and "This account is locked" in attempt.content.decode()
        assert log_in(client, email, address=ELSEWHERE).status_code == 429  # even the right password, there
        person = Client()
        assert log_in(person, email, address=HOME).status_code == 302 and signed_in(person)
        locked = events(Kind.LOCKED_OUT, user=world.practitioner.user).get()
        assert locked.address == ELSEWHERE and "for this account" in locked.detail
        failures = events(Kind.SIGN_IN_FAILED, user=world.practitioner.user, address=ELSEWHERE).order_by("at", "pk")
        assert [bool(f.detail) for f in failures] == [False] * 5 + [True]
        assert "Refused without checking the password" in failures.last().detail

    def test_one_address_trying_a_few_passwords_on_many_accounts_is_paused(self, world, client):
        for n in range(10):
            for _ in range(4):  # under the limit for any one account
                log_in(client, f"guess{n}@nowhere.example", "Summer2026!", address=ELSEWHERE)
        refused = log_in(client, world.practitioner.user.email, address=ELSEWHERE)
        assert refused.status_code == 429 and "from your network" in refused.content.decode()
        assert not signed_in(client)
        locked = events(Kind.LOCKED_OUT, address=ELSEWHERE).get()
        assert "from this address, for any account" in locked.detail
        assert events(Kind.SIGN_IN_FAILED, email="guess3@nowhere.example").count() == 4
        elsewhere = Client()
        assert log_in(elsewhere, world.practitioner.user.email, address=HOME).status_code == 302

    def test_a_staff_room_mistyping_all_morning_is_never_paused(self, world, client):
        staff = [world.members[role].user.email for role in (Role.PRACTITIONER, Role.THERAPIST, Role.FAMILY)]
        for _ in range(8):
            for email in staff:
                log_in(client, email, "mistyped", address=HOME)
                log_in(client, email, "mistyped-again", address=HOME)
                assert log_in(client, email, address=HOME).status_code == 302
                client.logout()
        assert events(Kind.SIGN_IN_FAILED, address=HOME).count() == 48
        assert not events(Kind.LOCKED_OUT).exists()


@pytest.mark.django_db
class TestSecurityLog:
    def test_sign_ins_failures_and_refused_pages_are_kept_with_who_where_and_which_organisation(self, world, client):
        user = world.practitioner.user
        log_in(client, user.email, "wrong-password")
        log_in(client, "nobody@nowhere.example", "wrong-password")
        log_in(client, user.email)
        foreign = reverse("learners:about", kwargs={"learner_id": world.foreign.pk})
        assert client.get(f"{foreign}?q=secret+words").status_code == 404
        assert client.get(reverse("audit")).status_code == 403
        assert client.get("/static/attunement/no-such-file.css").status_code == 404

        failed = events(Kind.SIGN_IN_FAILED, user=user).get()
        assert failed.email == user.email and failed.address == "127.0.0.1"
        assert events(Kind.SIGN_IN_FAILED, email="nobody@nowhere.example", user=None).exists()
        assert events(Kind.SIGN_IN, user=user).count() == 1
        refused = list(events(Kind.ACCESS_REFUSED, user=user).order_by("at", "pk"))
        assert [e.detail for e in refused] == [f"404 GET {foreign}", "403 GET /organisation/audit/"]
        assert all(e.organisation == world.school for e in refused)

    @pytest.mark.django_db(transaction=True)  # the library sends its e-mails once each change is committed
    def test_password_and_authenticator_changes_are_logged_and_the_person_is_told_by_email(self, world, client):
        user = world.practitioner.user
        log_in(client, user.email)
        client.get(reverse("mfa_activate_totp"))
        secret = client.session["mfa.totp.secret"]
        client.post(reverse("mfa_activate_totp"), {"code": fresh_code(secret)})
        assert events(Kind.AUTHENTICATOR_ADDED, user=user).exists()
        client.post(reverse("mfa_generate_recovery_codes"))
        assert events(Kind.RECOVERY_CODES_RENEWED, user=user).exists()
        client.post(reverse("mfa_deactivate_totp"))
        assert events(Kind.AUTHENTICATOR_REMOVED, user=user).exists()
        client.post(
            reverse("account_change_password"),
            {"oldpassword": PASSWORD, "password1": "a-new-long-password-7", "password2": "a-new-long-password-7"},
        )
        assert events(Kind.PASSWORD_CHANGED, user=user).exists()

        subjects = [m.subject for m in mail.outbox if m.to == [user.email]]
        assert any("Authenticator App Activated" in s for s in subjects), subjects
        assert any("Recovery Codes" in s for s in subjects), subjects
        assert any("Authenticator App Deactivated" in s for s in subjects), subjects
        assert any("Password Changed" in s for s in subjects), subjects
        assert "If you did not make this change, tell your administrator" in mail.outbox[-1].body

    def test_a_password_reset_is_logged_and_told_and_its_link_lasts_an_hour(self, world, client, monkeypatch):
        user = world.practitioner.user
        client.post(reverse("account_reset_password"), {"email": user.email})
        link = next(word for word in mail.outbox[-1].body.split() if "/accounts/password/reset/key/" in word)

        later = PasswordResetTokenGenerator._now
        monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: later(self) + timedelta(minutes=61))
        stale = client.get(link, follow=True)
        assert "password1" not in stale.content.decode()
        assert "invalid" in stale.content.decode().lower() or "expired" in stale.content.decode().lower()

        monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: later(self) + timedelta(minutes=59))
        form_page = client.get(link, follow=True)
        assert "password1" in form_page.content.decode()
        sent = len(mail.outbox)
        client.post(
            form_page.redirect_chain[-1][0], {"password1": "a-reset-password-9", "password2": "a-reset-password-9"}
        )
        assert events(Kind.PASSWORD_RESET, user=user).exists()
        assert len(mail.outbox) == sent + 1 and mail.outbox[-1].to == [user.email]

    def test_the_retention_run_deletes_entries_older_than_the_set_period(self, world, settings):
        settings.SECURITY_LOG_RETENTION_DAYS = 365
        old = SecurityEvent.objects.create(kind=Kind.SIGN_IN, email="old@x.example")
        SecurityEvent.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=367))
        recent = SecurityEvent.objects.create(kind=Kind.SIGN_IN, email="recent@x.example")
        SecurityEvent.objects.filter(pk=recent.pk).update(at=timezone.now() - timedelta(days=360))
        retention_apply(dry_run=True)
        assert SecurityEvent.objects.filter(pk=old.pk).exists()
        call_command("retention_run", "--apply", stdout=open(os.devnull, "w"))
        assert not SecurityEvent.objects.filter(pk=old.pk).exists()
        assert SecurityEvent.objects.filter(pk=recent.pk).exists()


@pytest.mark.django_db
class TestSecurityLogPage:
    def fill(self, world):
        SecurityEvent.objects.create(kind=Kind.SIGN_IN, user=world.practitioner.user, detail="ours")
        SecurityEvent.objects.create(kind=Kind.SIGN_IN_FAILED, user=world.therapist_user, detail="ours too")
        SecurityEvent.objects.create(kind=Kind.SIGN_IN, user=world.other_coordinator.user, detail="theirs")
        SecurityEvent.objects.create(
            kind=Kind.ACCESS_REFUSED, user=world.coordinator.user, organisation=world.other, detail="elsewhere"
        )
        SecurityEvent.objects.create(kind=Kind.SIGN_IN_FAILED, email="stranger@nowhere.example", detail="stranger")

    @pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ADMINISTRATOR])
    def test_leaders_see_their_own_organisations_members_only(self, world, client, role):
        world.therapist_user = world.members[Role.THERAPIST].user
        self.fill(world)
        login(client, world.members[role])
        page = client.get(reverse("security_log")).content.decode()
        assert "ours" in page and "ours too" in page
        assert "theirs" not in page and "elsewhere" not in page and "stranger" not in page
        narrowed = client.get(reverse("security_log"), {"kind": Kind.SIGN_IN_FAILED}).content.decode()
        assert "ours too" in narrowed and ">ours<" not in narrowed
        person = client.get(reverse("security_log"), {"person": world.practitioner.user.pk}).content.decode()
        assert ">ours<" in person and "ours too" not in person
        assert reverse("security_log") in client.get(reverse("home")).content.decode()

    @pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.MANAGER, Role.THERAPIST, Role.FAMILY, Role.EXTERNAL])
    def test_everyone_else_is_refused(self, world, client, role):
        world.therapist_user = world.members[Role.THERAPIST].user
        self.fill(world)
        login(client, world.members[role])
        response = client.get(reverse("security_log"))
        assert response.status_code == 403 and "ours" not in response.content.decode()

    def test_it_is_read_only_paged_and_closed_to_anyone_not_signed_in(self, world, client):
        assert client.get(reverse("security_log")).url.startswith(reverse("account_login"))
        login(client, world.coordinator)
        assert client.post(reverse("security_log")).status_code == 405
        SecurityEvent.objects.bulk_create(
            SecurityEvent(kind=Kind.SIGN_IN, user=world.practitioner.user) for _ in range(120)
        )
        first = client.get(reverse("security_log")).content.decode()
        assert "Page 1 of 3" in first
        assert "Page 3 of 3" in client.get(reverse("security_log"), {"page": 3}).content.decode()
        bad = client.get(reverse("security_log"), {"kind": "nonsense"})
        assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()


def _production_settings(secret_key):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "attunement.config.production",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "attunement.example.org",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:5432/unused",
        "ATTUNEMENT_VAR_DIR": "/tmp/attunement-deploy-check",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    code = "import django; django.setup(); print('started')"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)


@pytest.mark.parametrize("key", ["x", "short-but-varied-key-123", "a" * 80, "django-insecure-" + "k2Jd9q" * 10])
def test_production_refuses_to_start_with_a_short_or_simple_secret_key(key):
    result = _production_settings(key)
    assert result.returncode != 0 and "started" not in result.stdout
    assert "SECRET_KEY is too short or too simple" in result.stderr


def test_production_starts_with_a_long_random_secret_key():
    result = _production_settings("q8Zt3-Lm0vX_c4Rk7Yp2Wn9Bh5Jd1Fs6Ga0Eu3Ci8Oo4Tx7Vy2Nr5Sl9Pk1Mw6Qz")
    assert result.returncode == 0 and "started" in result.stdout, result.stderr

"""Single sign-on against a real OpenID Connect provider started by the test (django-oauth-toolkit, over HTTP on
this machine): a member signs in, an invited person's first sign-in makes their account, an uninvited address is
refused, and so is a leaver."""

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.urls import reverse
from playwright.sync_api import expect

from attunement.learners.models import Learner
from attunement.members import services
from attunement.members.models import SingleSignOn
from attunement.organisations.models import Membership, Role
from tests.smtp import free_port

from .conftest import BUSY_MACHINE_WAIT_MS

ROOT = Path(__file__).resolve().parents[2]
KEY = "oakfield-test"
CLIENT_ID, CLIENT_SECRET = "attunement-client", "a-client-secret-for-the-test"
PASSWORD = "provider-password-55"
PEOPLE = [
    ("sam@oakfield.example", "Sam", "Okafor"),
    ("new.teacher@oakfield.example", "Nia", "Evans"),
    ("stranger@oakfield.example", "Sid", "Stranger"),
    ("alex@oakfield.example", "Alex", "Byrne"),
]


def _private_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _wait_for(url: str, process) -> None:
    deadline = time.monotonic() + BUSY_MACHINE_WAIT_MS / 1000
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the test provider stopped: {process.stdout.read()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"the test provider did not answer at {url}")


@pytest.fixture
def provider(live_server, demo, tmp_path):
    port = free_port()
    callback = live_server.url + reverse("openid_connect_callback", kwargs={"provider_id": f"sso-{KEY}"})
    environment = {
        **os.environ,
        "OIDC_DB": str(tmp_path / "provider.sqlite3"),
        "OIDC_KEY": _private_key(),
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_REDIRECT_URI": callback,
        "OIDC_USERS": json.dumps([[email, PASSWORD, first, last] for email, first, last in PEOPLE]),
        "PYTHONPATH": str(ROOT),
    }
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_provider.serve", str(port)],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    issuer = f"http://127.0.0.1:{port}/o"
    try:
        _wait_for(issuer + "/.well-known/openid-configuration", process)
        oakfield = Membership.objects.get(user__email="priya@oakfield.example").organisation
        SingleSignOn.objects.create(
            organisation=oakfield,
            kind=SingleSignOn.Kind.OTHER,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            server_url=issuer,
            key=KEY,
        )
        yield oakfield
    finally:
        process.terminate()
        process.wait(timeout=30)


def sign_in_through_provider(page, base: str, email: str) -> None:
    page.goto(f"{base}/sign-in/{KEY}/")
    page.get_by_role("button", name="Sign in with Another OpenID Connect provider").click()
    page.wait_for_url(lambda url: "/login/" in url and not url.startswith(base))
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in to the provider").click()
    page.wait_for_url(lambda url: url.startswith(base))


def test_members_and_invited_people_sign_in_through_the_provider_and_nobody_else(new_tablet, live_server, provider):
    base = live_server.url
    coordinator = Membership.objects.get(user__email="priya@oakfield.example")

    member = new_tablet()
    sign_in_through_provider(member, base, "sam@oakfield.example")
    expect(member.locator(".whoami")).to_contain_text("Practitioner, Oakfield Special School")
    expect(member.locator(".whoami")).to_contain_text("Sam")

    person = Learner.objects.filter(organisation=provider).order_by("first_name").first()
    services.invite(
        actor=coordinator,
        email="new.teacher@oakfield.example",
        role=Role.PRACTITIONER,
        learners=[person],
        link_for=lambda token: f"{base}/invitation/{token}/",
    )
    invited = new_tablet()
    sign_in_through_provider(invited, base, "new.teacher@oakfield.example")
    expect(invited.locator(".whoami")).to_contain_text("Nia · Practitioner, Oakfield Special School")
    invited.goto(f"{base}/learners/")
    expect(invited.get_by_text(person.first_name).first).to_be_visible()
    joined = Membership.objects.get(user__email="new.teacher@oakfield.example")
    assert (joined.organisation, joined.role, joined.is_active) == (provider, Role.PRACTITIONER, True)
    assert not joined.user.has_usable_password()  # they sign in through the provider only

    stranger = new_tablet()
    sign_in_through_provider(stranger, base, "stranger@oakfield.example")
    expect(stranger.get_by_role("heading", level=1)).to_have_text("You are not signed in")
    expect(stranger.get_by_text("not a member, and has no invitation waiting")).to_be_visible()
    stranger.goto(f"{base}/learners/")
    expect(stranger).to_have_url(re.compile("/accounts/login/"))

    services.end_access(actor=coordinator, membership=Membership.objects.get(user__email="alex@oakfield.example"))
    leaver = new_tablet()
    sign_in_through_provider(leaver, base, "alex@oakfield.example")
    expect(leaver.get_by_role("heading", level=1)).to_have_text("You are not signed in")
    leaver.goto(f"{base}/learners/")
    expect(leaver).to_have_url(re.compile("/accounts/login/"))

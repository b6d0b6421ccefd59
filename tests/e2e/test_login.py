"""Logging in with a second step, in real Chromium."""

import re

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from attunement.organisations.models import Organisation, Role
from attunement.organisations.services import membership_add

from .conftest import fresh_code, log_in

PASSWORD = "a-long-e2e-password-7"


def test_a_new_coordinator_sets_up_an_authenticator_then_needs_its_code_to_log_in(tablet, live_server):
    page, base = tablet, live_server.url
    user = get_user_model().objects.create_user(email="new.lead@oakfield.example", password=PASSWORD, first_name="Nia")
    membership_add(
        organisation=Organisation.objects.get(name="Oakfield Special School"), user=user, role=Role.COORDINATOR
    )

    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/"))
    assert page.get_by_text("needs a second step at login").is_visible()
    assert page.locator("img[src^='data:image/svg+xml']").count() == 1  # the QR code for the app
    secret = page.locator("#authenticator_secret").input_value()

    page.fill("#id_code", "000000")
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_text("Incorrect code.").first).to_be_visible()
    assert "/accounts/2fa/totp/activate/" in page.url  # a wrong code does not activate it

    page.fill("#id_code", fresh_code(secret))
    page.get_by_role("button", name="Activate").click()
    page.wait_for_url(lambda url: "/accounts/2fa/totp/activate/" not in url)
    page.goto(f"{base}/")
    assert page.get_by_role("heading", name="Hello, Nia").is_visible()

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    log_in(page, base, user.email, password=PASSWORD, totp_secret=secret)
    assert page.get_by_role("heading", name="Hello, Nia").is_visible()


def test_five_wrong_passwords_lock_the_account_in_the_browser(tablet, live_server):
    page, base = tablet, live_server.url
    for _ in range(5):
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_login", "sam@oakfield.example")
        page.fill("#id_password", "not-the-password")
        page.click("button[type=submit]")
    expect(page.get_by_role("heading", name="This account is locked for 15 minutes")).to_be_visible()

import os

import pytest
from playwright.sync_api import sync_playwright

from attunement.accounts.two_factor import current_code
from attunement.setup.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, seed_demo

# Playwright's synchronous API keeps an event loop in this thread; the test's own database reads are still
# ordinary synchronous calls, so Django's async-safety guard must be relaxed for browser tests only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TABLET = {"width": 768, "height": 1024}
# How long a browser step may wait for its condition. A quiet machine answers in well under a second; a busy CI
# machine has been seen to take over 10 s for a page that measures a video, so the limit is generous.
BUSY_MACHINE_WAIT_MS = 60_000


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def demo(transactional_db):
    return seed_demo()


class Taps:
    """Counts the taps a user makes, so the test can hold the quick log to its budget."""

    def __init__(self, page):
        self.page = page
        self.count = 0

    def on(self, locator):
        locator.click()
        self.count += 1


@pytest.fixture
def tablet(browser, live_server, demo):
    """A tablet-sized page. Any Content Security Policy violation on any page fails the test."""
    context = browser.new_context(viewport=TABLET, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(BUSY_MACHINE_WAIT_MS)
    violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))
    yield page
    context.close()
    assert violations == [], violations


def log_in(page, base_url, email, password=DEMO_PASSWORD, totp_secret=DEMO_TOTP_SECRET):
    """Log in through the real forms; co-ordinators and managers also type their authenticator code."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    if "/accounts/2fa/authenticate/" in page.url:
        page.fill("#id_code", current_code(totp_secret))
        page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"

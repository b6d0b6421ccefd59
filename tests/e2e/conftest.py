import os
import time

import pytest
from playwright.sync_api import expect, sync_playwright

from attunement.accounts.two_factor import current_code
from attunement.privacy.selectors import consent_allows
from attunement.setup.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, seed_demo

from ..reflection.videos import consent
from .queued_work import QueuedWork

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
# How long any browser step may wait for its condition: a click's navigation, a selector, an expect(...), a
# download. A quiet machine answers in well under a second; a CI machine whose cores are all busy has taken over
# 10 s for one page, so the one limit is generous. Nothing slow is left for the browser to wait on: background
# work runs in the test itself (queued_work) before the page that shows it is opened.
BUSY_MACHINE_WAIT_MS = 60_000
expect.set_options(timeout=BUSY_MACHINE_WAIT_MS)


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
def new_tablet(browser, live_server, demo):
    """Opens a tablet-sized page in a browser context of its own (its own cookies: another person signing in).
    Every page, and every tab opened from it, waits up to BUSY_MACHINE_WAIT_MS for anything. Any Content
    Security Policy violation on any page fails the test."""
    contexts, violations = [], []

    def open_page(**options):
        # The app's service worker (offline pages) is tried in the tests about it, which pass
        # service_workers="allow"; elsewhere it is blocked, so a page a test opens always comes from the server.
        options.setdefault("service_workers", "block")
        context = browser.new_context(viewport=TABLET, has_touch=True, **options)
        context.set_default_timeout(BUSY_MACHINE_WAIT_MS)
        context.set_default_navigation_timeout(BUSY_MACHINE_WAIT_MS)
        context.on(
            "console",
            lambda message: "Content Security Policy" in message.text and violations.append(message.text),
        )
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
    assert violations == [], violations


@pytest.fixture
def tablet(new_tablet):
    """A tablet-sized page: the person the test is about."""
    return new_tablet()


@pytest.fixture
def queued_work(settings):
    """Background work (video preparation, measuring) is queued by the server and run only by the test."""
    settings.TASKS = QueuedWork.SETTINGS
    return QueuedWork()


# An authenticator code is good for its 30-second period only. A busy machine can take seconds between reading
# the code and the server checking it, so a code is only typed with at least this long left in its period.
CODE_MARGIN_S = 10


def fresh_code(secret: str) -> str:
    """The code an authenticator app shows, read at the start of a period if this one is nearly over."""
    left = 30 - time.time() % 30
    if left < CODE_MARGIN_S:
        time.sleep(left + 0.1)
    return current_code(secret)


def log_in(page, base_url, email, password=DEMO_PASSWORD, totp_secret=DEMO_TOTP_SECRET):
    """Log in through the real forms; co-ordinators and managers also type their authenticator code."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    if "/accounts/2fa/authenticate/" in page.url:
        page.fill("#id_code", fresh_code(totp_secret))
        page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def reopenable_tablet(browser, live_server, demo, tmp_path):
    """A tablet whose browser can be closed and opened again with the same profile on disk (its service worker,
    caches, saves and cookies), as after a restart. Service workers are allowed unless the test says
    `service_workers="block"`: a test that does not need them should, because a worker still keeping pages when the
    test ends can hold the database while it is emptied for the next test. Any Content Security Policy
    violation on any page fails the test."""
    opened, violations = [], []

    def open_browser(**options):
        options.setdefault("viewport", TABLET)
        options.setdefault("service_workers", "allow")
        context = browser.browser_type.launch_persistent_context(
            user_data_dir=str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            has_touch=True,
            **options,
        )
        context.set_default_timeout(BUSY_MACHINE_WAIT_MS)
        context.set_default_navigation_timeout(BUSY_MACHINE_WAIT_MS)
        context.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))
        opened.append(context)
        return context

    yield open_browser
    for context in opened:
        try:
            context.close()
        except Exception:  # already closed by the test
            pass
    assert violations == [], violations


def with_video_consent(person):
    """Consent to video for the person, from yesterday for a year, unless one is already in force."""
    if not consent_allows(person, "video"):
        consent(person, "video")
    return person

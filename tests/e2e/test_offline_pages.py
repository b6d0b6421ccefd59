"""Attunement with no connection: the pages kept on a tablet for the signed-in member open offline, with a calm
banner; a page not kept says so and lists what is; nobody else ever sees them."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from attunement.accounts.models import User

from .conftest import log_in

PRACTITIONER = "sam@oakfield.example"
OTHER_PRACTITIONER = "tom@riverside.example"  # another organisation: shares none of Sam's people
SAVED = re.compile(r"You are offline\. This page was saved on this tablet (at|yesterday at|on .+ at) \d\d:\d\d\.")


@pytest.fixture(autouse=True)
def _patient_network(settings):
    # Online, a busy machine may take seconds for a page: the kept copy stands in only when the network fails.
    settings.OFFLINE_NETWORK_WAIT_SECONDS = 120


def _kept_list(page) -> dict:
    return page.evaluate("fetch('/offline/pages/').then((answer) => answer.json())")


def _wait_until_kept(page, base) -> dict:
    """Open "What is on this tablet" and wait until it lists every page the server says to keep."""
    wanted = _kept_list(page)
    page.goto(f"{base}/offline/")
    expect(page.locator("[data-saved-page]")).to_have_count(len(wanted["pages"]))
    return wanted


def _serious_accessibility_problems(page) -> list[str]:
    violations = Axe().run(page).response["violations"]
    return [f"{v['id']}: {v['help']}" for v in violations if v["impact"] in ("serious", "critical")]


def _caches(page) -> list[str]:
    return sorted(page.evaluate("caches.keys()"))


def test_a_practitioners_pages_open_offline_with_a_banner_and_a_page_not_kept_lists_what_is(new_tablet, live_server):
    page = new_tablet(service_workers="allow")
    base = live_server.url
    log_in(page, base, PRACTITIONER)
    kept = _wait_until_kept(page, base)
    sam = User.objects.get(email=PRACTITIONER)
    person = kept["people"][0]
    urls = {p["title"]: p["url"] for p in kept["pages"] if p["person"] == person["id"]}
    assert set(urls) == {"Log a session", "About me", "Timeline: the latest sessions"}
    assert f"attunement-pages-{sam.pk}" in _caches(page)
    expect(page.get_by_role("heading", name=person["name"])).to_be_visible()
    assert _serious_accessibility_problems(page) == []

    page.context.set_offline(True)
    expected = {
        "/": page.get_by_role("heading", name="Hello, Sam"),
        "/log/": page.get_by_role("heading", name="Log a session — who with?"),
        urls["Log a session"]: page.get_by_role("heading", name=f"Session with {person['name']}"),
        urls["About me"]: page.get_by_role("heading", name=f"About me: {person['name']}"),
        urls["Timeline: the latest sessions"]: page.get_by_role("heading", name=f"{person['name']}'s sessions"),
    }
    for url, heading in expected.items():
        page.goto(base + url)
        expect(heading).to_be_visible()
        expect(page.get_by_role("status").filter(has_text="You are offline")).to_have_text(SAVED)
    assert _serious_accessibility_problems(page) == []  # the banner on a kept page

    # Each opening of the kept quick log gives its form a new key, as the server does: two sessions logged one
    # after the other offline are two sessions, not one sent twice.
    keys = set()
    for _ in range(2):
        page.goto(base + urls["Log a session"])
        keys.add(page.locator("input[name=submission_key]").input_value())
    assert len(keys) == 2

    # A page that was not kept says so, and lists what was, with links that open.
    page.goto(f"{base}/learners/{person['id']}/progress/")
    expect(page.get_by_role("heading", name="This page was not saved on this tablet")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("You are offline. This page was not saved on this tablet.")
    expect(page.locator("[data-saved-page]")).to_have_count(len(kept["pages"]))
    assert _serious_accessibility_problems(page) == []
    page.get_by_role("link", name="About me").first.click()
    expect(page.get_by_role("heading", name=re.compile("^About me: "))).to_be_visible()
    page.context.set_offline(False)


def test_another_user_on_the_same_tablet_never_sees_the_first_users_pages(new_tablet, live_server):
    page = new_tablet(service_workers="allow")
    base = live_server.url
    log_in(page, base, PRACTITIONER)
    sams = _wait_until_kept(page, base)
    about = next(p["url"] for p in sams["pages"] if p["title"] == "About me")
    name = next(person["name"] for person in sams["people"] if about.endswith(f"/{person['id']}/"))

    page.goto(f"{base}/")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile("/accounts/login/"))
    log_in(page, base, OTHER_PRACTITIONER)
    toms = _wait_until_kept(page, base)
    tom = User.objects.get(email=OTHER_PRACTITIONER)
    assert _caches(page) == sorted(["attunement-pages-" + str(tom.pk), "attunement-static", "attunement-state"])
    assert not {p["url"] for p in sams["pages"] if p["person"]} & {p["url"] for p in toms["pages"]}

    page.context.set_offline(True)
    page.goto(base + about)
    expect(page.get_by_role("heading", name="This page was not saved on this tablet")).to_be_visible()
    assert name not in page.locator("main").inner_text()
    page.goto(f"{base}/")
    expect(page.get_by_role("heading", name="Hello, Tom")).to_be_visible()
    page.context.set_offline(False)


def test_when_the_server_says_nobody_is_signed_in_nothing_kept_is_shown(new_tablet, live_server):
    page = new_tablet(service_workers="allow")
    base = live_server.url
    log_in(page, base, PRACTITIONER)
    _wait_until_kept(page, base)

    page.context.clear_cookies()  # the sign-in ended on the server (the idle time-out, say)
    page.goto(f"{base}/")
    page.wait_for_url(re.compile("/accounts/login/"))
    # wait_for_function does not wait for a promise: each poll starts a reading and reports the last one finished.
    page.wait_for_function(
        """() => {
            const check = (window.__pagesGone = window.__pagesGone || { gone: false, reading: false });
            if (!check.reading) {
                check.reading = true;
                caches.keys().then((names) => Object.assign(check, {
                    gone: !names.some((n) => n.startsWith("attunement-pages-")), reading: false,
                }));
            }
            return check.gone;
        }""",
        polling=250,
    )

    page.context.set_offline(True)
    page.goto(f"{base}/")
    expect(page.get_by_role("heading", name="This page was not saved on this tablet")).to_be_visible()
    expect(page.get_by_text("Hello, Sam")).to_have_count(0)
    page.context.set_offline(False)

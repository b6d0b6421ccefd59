"""A practitioner logs a session on a tablet in real Chromium, against a running server."""

import re
import time

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from attunement.practice.models import Session

from .conftest import Taps, log_in

PRACTITIONER = "sam@oakfield.example"
NOTE = "She copied my hum, then waited for me — a first."


def open_first_person(page):
    """Open the quick log for the first person offered, and wait until its page (and its scripts) have loaded."""
    page.locator(".choose-card").first.click()
    page.wait_for_url(re.compile(r"/log/\d+/$"))


def seen_count(page, fundamental: str) -> int:
    """The count the Fundamentals-seen chart draws for one Fundamental (read from the bar's own title)."""
    bar_title = page.locator("svg.seen rect title", has_text=fundamental).first.text_content()
    return int(re.search(r": (\d+) of \d+ sessions", bar_title).group(1))


def test_common_case_takes_few_taps_and_shows_on_timeline_and_chart(tablet, live_server):
    page, base = tablet, live_server.url
    log_in(page, base, PRACTITIONER)

    started = time.monotonic()
    taps = Taps(page)
    taps.on(page.get_by_role("link", name="Log a session").first)
    first_person = page.locator(".choose-card").first
    name = first_person.locator("span").last.inner_text().strip()
    taps.on(first_person)
    page.wait_for_url(re.compile(r"/log/\d+/$"))
    learner_id = re.search(r"/log/(\d+)/", page.url).group(1)
    taps.on(page.get_by_role("button", name="10 min"))
    taps.on(page.locator("[data-fills=id_place] button").first)
    fundamental = "Taking turns in exchanges of behaviour"
    taps.on(page.get_by_label(fundamental, exact=True))
    taps.on(page.get_by_label("Lots", exact=True))
    taps.on(page.get_by_label("Natural end", exact=True))
    taps.on(page.get_by_label(re.compile("^What happened")))
    page.keyboard.type(NOTE)
    taps.on(page.get_by_role("button", name="Save session"))
    page.wait_for_url(re.compile(rf"/learners/{learner_id}/timeline/$"))
    elapsed = time.monotonic() - started

    print(f"\nQuick log, common case: {taps.count} taps, {elapsed:.1f} s in the browser")
    assert taps.count <= 10
    assert page.get_by_text(f"Session with {name.split()[0]} saved.").is_visible()
    newest = page.locator(".session-card").first
    assert NOTE in newest.inner_text()
    assert "10 min" in newest.inner_text()
    assert fundamental in newest.inner_text()

    session = Session.objects.get(what_happened=NOTE)
    assert session.minutes == 10 and session.enjoyment == 3 and session.ending == "natural"
    assert [u.email for u in session.partners.all()] == [PRACTITIONER]

    page.goto(f"{base}/learners/{learner_id}/progress/")
    after = seen_count(page, fundamental)
    session.fundamentals.clear()
    page.reload()
    assert seen_count(page, fundamental) == after - 1


def test_an_unsaved_form_survives_a_closed_tab_and_is_forgotten_once_saved(tablet, live_server):
    page, base = tablet, live_server.url
    log_in(page, base, PRACTITIONER)
    page.goto(f"{base}/log/")
    open_first_person(page)
    form_url = page.url
    page.get_by_role("button", name="15 min").click()
    page.get_by_label("Never seen before", exact=True).first.click()
    page.get_by_label("Behaviour", exact=True).fill("Reached for the light switch")
    page.get_by_label(re.compile("^What happened")).fill("Half-written note")

    second_tab = page.context.new_page()
    page.close()
    second_tab.goto(form_url)
    assert second_tab.get_by_text("We brought back the session").is_visible()
    assert second_tab.locator("#id_minutes").input_value() == "15"
    assert second_tab.get_by_label("Behaviour", exact=True).input_value() == "Reached for the light switch"
    assert second_tab.get_by_label(re.compile("^What happened")).input_value() == "Half-written note"

    second_tab.get_by_role("button", name="Save session").click()
    second_tab.wait_for_url(re.compile(r"/timeline/$"))
    assert "Reached for the light switch" in second_tab.locator(".session-card.has-new").first.inner_text()
    second_tab.goto(form_url)
    assert not second_tab.get_by_text("We brought back the session").is_visible()
    assert second_tab.locator("#id_minutes").input_value() == ""


def test_a_long_session_is_questioned_before_it_is_saved(tablet, live_server):
    page, base = tablet, live_server.url
    log_in(page, base, PRACTITIONER)
    page.goto(f"{base}/log/")
    open_first_person(page)
    page.locator("#id_minutes").fill("90")
    expect(page.locator("#minutes-warning")).to_contain_text("longer than most sessions")
    before = Session.objects.count()
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_text("Nothing was saved yet")).to_be_visible()
    assert Session.objects.count() == before
    page.get_by_label("Yes, it really lasted this long").check()
    page.get_by_role("button", name="Save session").click()
    page.wait_for_url(re.compile(r"/timeline/$"))
    assert Session.objects.count() == before + 1


def test_the_quick_log_works_from_the_keyboard_and_passes_an_accessibility_check(tablet, live_server):
    page, base = tablet, live_server.url
    log_in(page, base, PRACTITIONER)
    page.goto(f"{base}/log/")
    open_first_person(page)
    page.get_by_role("button", name="5 min", exact=True).focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.locator("#id_minutes").input_value() == "10"
    page.get_by_label("Lots").focus()
    page.keyboard.press("Space")
    assert page.get_by_label("Lots").is_checked()

    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], [(v["id"], v["help"]) for v in serious]


DRAFTS = "() => Object.keys(localStorage).filter(k => k.startsWith('attunement:draft:'))"


def test_drafts_belong_to_their_user_and_are_forgotten_when_the_idle_timeout_logs_out(tablet, live_server, settings):
    """On a shared tablet, nothing typed stays behind once nobody is signed in, however the logout happened."""
    page, base = tablet, live_server.url
    log_in(page, base, PRACTITIONER)
    page.goto(f"{base}/log/")
    open_first_person(page)
    form_url = page.url
    page.get_by_label(re.compile("^What happened")).fill("Typed, then the tablet was left on the table")
    page.wait_for_function(f"() => ({DRAFTS})().length === 1")
    own = page.evaluate(DRAFTS)[0]
    someone_else = "attunement:draft:999999:" + own.split(":", 3)[3]
    page.evaluate(f"localStorage.setItem('{someone_else}', JSON.stringify({{savedAt: 0, values: {{}}}}))")

    page.reload()
    assert page.get_by_text("We brought back the session").is_visible()
    page.wait_for_function(f"() => ({DRAFTS})().length === 1")
    assert page.evaluate(DRAFTS) == [own]

    settings.IDLE_TIMEOUT_MINUTES = -1  # the next request is one after too long with nothing happening
    page.goto(form_url)
    page.wait_for_url(re.compile(r"/accounts/login/"))
    assert page.get_by_text("You were logged out after a while with nothing happening").is_visible()
    page.wait_for_function(f"() => ({DRAFTS})().length === 0")

    settings.IDLE_TIMEOUT_MINUTES = 30
    log_in(page, base, PRACTITIONER)
    page.goto(form_url)
    assert not page.get_by_text("We brought back the session").is_visible()
    assert page.get_by_label(re.compile("^What happened")).input_value() == ""

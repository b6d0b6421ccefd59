"""A practitioner logs a session on a tablet in real Chromium, against a running server."""

import re
import time
from datetime import timedelta

from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from attunement.learners.naming import ShownNames
from attunement.organisations.models import Membership
from attunement.practice import selectors
from attunement.practice.models import Fundamental, Session

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


# Counts every key pressed on any page of the tab from then on (kept in the tab's sessionStorage across pages).
COUNT_KEYS = """document.addEventListener("keydown", () => {
  sessionStorage.setItem("keys", String(Number(sessionStorage.getItem("keys") || 0) + 1));
}, true);"""
KEYS_PRESSED = "() => Number(sessionStorage.getItem('keys') || 0)"


def last_seen_with_two_fundamentals(email: str, fundamentals: list[str]):
    """Make a person the one `email` logged with last (an hour ago, with these two Fundamentals), so the home page
    offers them first; not the person they last logged with before, so the order is really the one worked out."""
    member = Membership.objects.get(user__email=email)
    people = selectors.learners_recent_first(actor=member)
    person = people[2]
    session = Session.objects.create(
        learner=person,
        recorded_by=member.user,
        started_at=timezone.now() - timedelta(hours=1),
        minutes=25,
    )
    session.partners.add(member.user)
    session.fundamentals.add(*Fundamental.objects.filter(organisation=person.organisation, name__in=fundamentals))
    return person


def shown_to(email: str, person) -> str:
    """The person's name as `email` sees it: the demo has two people called Chloe, told apart by surname."""
    return ShownNames(Membership.objects.get(user__email=email)).name(person)


def test_common_case_takes_five_taps_from_home_with_no_typing_and_shows_on_timeline_and_chart(tablet, live_server):
    page, base = tablet, live_server.url
    log_in(page, base, PRACTITIONER)
    two = ["Sharing personal space", "Taking turns in exchanges of behaviour"]
    person = last_seen_with_two_fundamentals(PRACTITIONER, two)
    usual = selectors.usual_minutes(learner=person).minutes
    page.context.add_init_script(COUNT_KEYS)
    page.goto(f"{base}/")

    started = time.monotonic()
    taps = Taps(page)
    first_offer = page.locator(".log-with-first")
    expect(first_offer).to_contain_text(f"Log a session with {person.first_name}")
    taps.on(first_offer)
    page.wait_for_url(re.compile(rf"/log/{person.pk}/$"))
    expect(page.locator("#id_minutes")).to_have_value(str(usual))
    expect(page.locator("#minutes-preselected")).to_contain_text(f"Chosen for you: {usual} min")
    expect(page.locator("#when-summary")).to_contain_text(f"{usual} minutes ago: it has just finished")
    assert page.locator("input[name=enjoyment]:checked, input[name=ending]:checked").count() == 0
    taps.on(page.get_by_role("button", name=re.compile("^Same as last time")))
    taps.on(page.get_by_label("Lots", exact=True))
    taps.on(page.get_by_label("Natural end", exact=True))
    tapped_save = timezone.now()
    taps.on(page.get_by_role("button", name="Save session"))
    page.wait_for_url(re.compile(rf"/learners/{person.pk}/timeline/$"))
    elapsed = time.monotonic() - started
    keys = page.evaluate(KEYS_PRESSED)

    print(f"\nQuick log, common case: {taps.count} taps, {keys} key presses, {elapsed:.1f} s in the browser")
    assert taps.count <= 5
    assert keys == 0
    assert page.get_by_text(f"Session with {shown_to(PRACTITIONER, person)} saved.").is_visible()
    newest = page.locator(".session-card").first
    assert f"{usual} min" in newest.inner_text()
    assert all(name in newest.inner_text() for name in two)

    session = Session.objects.filter(learner=person).latest("created_at")
    assert session.minutes == usual and session.enjoyment == 3 and session.ending == "natural"
    assert sorted(f.name for f in session.fundamentals.all()) == two
    assert [u.email for u in session.partners.all()] == [PRACTITIONER]
    # Logged just after the session: it started the usual minutes before Save was tapped (to the minute).
    ended = session.started_at + timedelta(minutes=usual)
    assert tapped_save - timedelta(minutes=1) <= ended <= tapped_save + timedelta(minutes=1)

    page.goto(f"{base}/learners/{person.pk}/progress/")
    after = seen_count(page, two[0])
    session.fundamentals.clear()
    page.reload()
    assert seen_count(page, two[0]) == after - 1


def test_happening_now_and_another_time_are_saved_right_from_a_tablet_in_another_time_zone(new_tablet, live_server):
    """The tablet's clock says New York; the organisation's is London. The start is still right."""
    page, base = new_tablet(timezone_id="America/New_York"), live_server.url
    log_in(page, base, PRACTITIONER)
    page.goto(f"{base}/log/")
    open_first_person(page)
    learner_id = int(re.search(r"/log/(\d+)/", page.url).group(1))
    expect(page.locator("#started-at-field")).to_be_hidden()
    page.get_by_role("button", name="It is happening now").click()
    tapped = timezone.now()
    expect(page.locator("#when-summary")).to_contain_text("(now)")
    page.get_by_role("button", name="15 min").click()
    page.get_by_role("button", name="Save session").click()
    page.wait_for_url(re.compile(r"/timeline/$"))
    session = Session.objects.filter(learner_id=learner_id).latest("created_at")
    assert session.minutes == 15
    assert tapped - timedelta(minutes=1) <= session.started_at <= tapped + timedelta(seconds=1)

    page.goto(f"{base}/log/{learner_id}/")
    page.get_by_role("button", name="Another time").click()
    box = page.get_by_label("Started", exact=True)
    expect(box).to_be_visible()
    yesterday = timezone.localtime() - timedelta(days=1)
    box.fill(yesterday.strftime("%Y-%m-%dT") + "10:20")  # on the organisation's clock, as the page says
    page.get_by_role("button", name="Save session").click()
    page.wait_for_url(re.compile(r"/timeline/$"))
    session = Session.objects.filter(learner_id=learner_id).latest("created_at")
    assert timezone.localtime(session.started_at).strftime("%Y-%m-%d %H:%M") == yesterday.strftime("%Y-%m-%d 10:20")


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
    learner_id = int(re.search(r"/log/(\d+)/", form_url).group(1))
    usual = selectors.usual_minutes(learner=Session.objects.filter(learner_id=learner_id).first().learner).minutes
    assert second_tab.locator("#id_minutes").input_value() == str(usual)  # preselected again, not the draft's
    assert second_tab.get_by_label(re.compile("^What happened")).input_value() == ""


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
    next_length = page.evaluate("document.activeElement.dataset.value")
    page.keyboard.press("Enter")
    assert page.locator("#id_minutes").input_value() == next_length
    page.get_by_role("button", name="Another time").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Started", exact=True)).to_be_focused()
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

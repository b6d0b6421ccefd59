"""The whole journey with no connection, in one browser: after ONE visit online (signing in, then the home page),
the app opens with the network cut, three sessions for two people are logged from the kept pages, the browser
is closed and opened again, and once the connection is back the server holds exactly those three sessions, once
each. A save for a person whose link ended meanwhile is refused: it stays on the tablet with the reason."""

import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from attunement.accounts.models import User
from attunement.learners.models import Assignment
from attunement.practice.models import Session
from attunement.setup.demo import DEMO_PASSWORD

from .conftest import log_in as sign_in

PRACTITIONER = "sam@oakfield.example"
OFFLINE_BANNER = re.compile(r"You are offline\. This page was saved on this tablet (at|yesterday at) \d\d:\d\d\.")


@pytest.fixture(autouse=True)
def _patient_network(settings):
    # Online, a busy machine may take seconds for a page: the kept copy stands in only when the network fails.
    settings.OFFLINE_NETWORK_WAIT_SECONDS = 120


def first_page(context):
    return context.pages[0] if context.pages else context.new_page()


# Whether the tablet holds every page the server lists for this member, and the list itself (kept last, saying
# whether every page on it was kept). Reading the Cache API takes a promise, and wait_for_function does not wait
# for one, so each poll starts a reading and reports the last one finished.
ALL_KEPT = """([user, paths]) => {
  const check = (window.__allKept = window.__allKept || { kept: false, reading: false });
  if (!check.reading) {
    check.reading = true;
    (async () => {
      if (!(await caches.has("attunement-pages-" + user))) return false;
      const cache = await caches.open("attunement-pages-" + user);
      const kept = new Set((await cache.keys()).map((request) => new URL(request.url).pathname));
      const list = await cache.match("/offline/pages/");
      return !!list && (await list.json()).complete === true && paths.every((path) => kept.has(path));
    })().then(
      (kept) => Object.assign(check, { kept: kept, reading: false }),
      () => Object.assign(check, { reading: false })
    );
  }
  return check.kept;
}"""


def wait_until_kept(page) -> dict:
    """Wait, on the page open now, until every page the server lists for this member is kept on the tablet.
    Nothing else is opened: the list is asked for as the service worker asks for it."""
    wanted = page.evaluate("fetch('/offline/pages/', {cache: 'no-store'}).then((answer) => answer.json())")
    page.wait_for_function(ALL_KEPT, arg=[wanted["user"], [p["url"] for p in wanted["pages"]]], polling=250)
    return wanted


def status(page):
    return page.locator("#queue-status")


def person_id(page) -> int:
    return int(re.search(r"/log/(\d+)/$", page.url).group(1))


def save_offline(page) -> dict:
    """Tap Save on the quick log with no connection. Says who the session was with, its minutes and between which
    moments Save was tapped; checks the page says it is kept on the tablet and the form is ready for the next one."""
    learner = person_id(page)
    minutes = int(page.locator("#id_minutes").input_value())
    key = page.locator("input[name=submission_key]").input_value()
    before = timezone.now()
    page.get_by_role("button", name="Save session").click()
    expect(page.locator("#queue-kept")).to_contain_text("saved on this tablet. It will be sent when you are online.")
    after = timezone.now()
    expect(page.locator("input[name=submission_key]")).not_to_have_value(key)  # the next one is a new session
    return {"learner": learner, "minutes": minutes, "tapped": (before, after)}


def test_three_sessions_logged_offline_after_one_visit_survive_a_restart_and_reach_the_server_once_each(
    reopenable_tablet, live_server
):
    base = live_server.url
    context = reopenable_tablet()
    page = first_page(context)
    sign_in(page, base, PRACTITIONER)  # signing in opens the home page: the one visit online
    assert page.url == f"{base}/"
    expect(page.get_by_role("heading", name="Hello, Sam")).to_be_visible()
    home_shown = time.monotonic()
    kept = wait_until_kept(page)
    print(f"\n{len(kept['pages'])} pages kept on the tablet {time.monotonic() - home_shown:.1f} s after the home page")
    assert str(User.objects.get(email=PRACTITIONER).pk) == kept["user"]
    before = Session.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    context.set_offline(True)
    page.reload()  # the home page, now from the tablet
    expect(page.get_by_role("heading", name="Hello, Sam")).to_be_visible()
    expect(page.locator("[data-offline-banner]")).to_have_text(OFFLINE_BANNER)

    # Person A, from the home page's big button, with the form's one-tap defaults: the usual length, "It has
    # just finished".
    page.locator(".log-with-first").click()
    page.wait_for_url(re.compile(r"/log/\d+/$"))
    expect(page.locator("[data-offline-banner]")).to_have_text(OFFLINE_BANNER)
    expect(page.locator("#when-summary")).to_contain_text("it has just finished")
    usual = page.locator("#id_minutes").input_value()
    expect(page.locator("#minutes-preselected")).to_contain_text(f"Chosen for you: {usual} min")
    page.get_by_label("Lots", exact=True).click()
    page.get_by_label("Natural end", exact=True).click()
    saved = [save_offline(page)]
    expect(status(page)).to_contain_text("Saved on this tablet — will send when online (1 waiting)")

    # Person A again, straight away on the same page: another length, tapped.
    expect(page.locator("#id_minutes")).to_have_value(usual)  # the defaults are back for the next one
    other = "10" if usual != "10" else "15"
    page.get_by_role("button", name=f"{other} min", exact=True).click()
    expect(page.locator("#when-summary")).to_contain_text(f"{other} minutes ago: it has just finished")
    page.get_by_label("Natural end", exact=True).click()
    saved.append(save_offline(page))
    expect(status(page)).to_contain_text("(2 waiting)")
    # The form for the next one shows its defaults again, as it did when opened: the usual length, chosen.
    expect(page.locator("#id_minutes")).to_have_value(usual)
    expect(page.get_by_role("button", name=f"{usual} min", exact=True)).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name=f"{other} min", exact=True)).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#when-summary")).to_contain_text(f"{usual} minutes ago: it has just finished")
    expect(page.get_by_label("Natural end", exact=True)).not_to_be_checked()

    # Person B: back to the home page by its link, then the next person offered.
    page.get_by_role("link", name="Attunement", exact=True).click()
    expect(page.get_by_role("heading", name="Hello, Sam")).to_be_visible()
    expect(status(page)).to_contain_text("(2 waiting)")
    page.locator(".log-with-others .log-with-person").first.click()
    page.wait_for_url(re.compile(r"/log/\d+/$"))
    assert person_id(page) != saved[0]["learner"]
    expect(page.locator("[data-offline-banner]")).to_have_text(OFFLINE_BANNER)
    saved.append(save_offline(page))
    expect(status(page)).to_contain_text("Saved on this tablet — will send when online (3 waiting)")
    assert not Session.objects.filter(pk__gt=before).exists()

    # The status strip's link opens the list of what waits, still with no connection.
    status(page).get_by_role("link", name="See them").click()
    expect(page.get_by_role("heading", name="Saved on this tablet", exact=True)).to_be_visible()
    expect(page.locator("#queue-waiting .queue-item")).to_have_count(3)
    expect(page.locator("#queue-waiting .queue-item").first).to_contain_text(f"{saved[0]['minutes']} min")

    # The browser is closed entirely and opened again, still with no connection: the three are still waiting.
    context.close()
    context = reopenable_tablet(offline=True)
    page = first_page(context)
    page.goto(f"{base}/")
    expect(page.get_by_role("heading", name="Hello, Sam")).to_be_visible()
    expect(page.locator("[data-offline-banner]")).to_have_text(OFFLINE_BANNER)
    expect(status(page)).to_contain_text("Saved on this tablet — will send when online (3 waiting)")
    assert not Session.objects.filter(pk__gt=before).exists()

    # Back online. Closing the browser ended the sign-in (it lasts until the browser closes), so the saves wait
    # for Sam to sign in again, and then go.
    context.set_offline(False)
    back_online = time.monotonic()
    signed_out = status(page).get_by_role("link", name="Sign in to send 3 saved sessions")
    expect(signed_out).to_be_visible()
    assert not Session.objects.filter(pk__gt=before).exists()
    signed_out.click()
    page.wait_for_url(re.compile("/accounts/login/"))
    page.fill("#id_login", PRACTITIONER)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    expect(status(page)).to_contain_text("Sent: 3 saves have reached the team.")
    print(f"\nThree kept sessions sent {time.monotonic() - back_online:.1f} s after going online (with signing in)")

    # Exactly the three, once each: the people, the minutes, and (as "It has just finished" says) a start the
    # minutes before Save was tapped, to the minute, not before they were sent.
    new = list(Session.objects.filter(pk__gt=before).order_by("pk"))
    assert sorted((s.learner_id, s.minutes) for s in new) == sorted((k["learner"], k["minutes"]) for k in saved)
    assert len({s.learner_id for s in new}) == 2
    by_save = sorted(saved, key=lambda k: (k["learner"], k["minutes"]))
    for session, kept_save in zip(sorted(new, key=lambda s: (s.learner_id, s.minutes)), by_save, strict=True):
        tapped_from, tapped_to = kept_save["tapped"]
        lasted = timedelta(minutes=kept_save["minutes"])
        assert tapped_from - lasted - timedelta(minutes=1) <= session.started_at <= tapped_to - lasted
        assert session.recorded_by.email == PRACTITIONER
    assert len({s.submission_key for s in new}) == 3
    first = next(s for s in new if s.learner_id == saved[0]["learner"] and s.minutes == saved[0]["minutes"])
    assert (first.enjoyment, first.ending) == (3, "natural")  # "Lots" and "Natural end", as tapped

    # Opening more pages sends nothing twice.
    page.reload()
    expect(page.get_by_role("heading", name="Hello, Sam")).to_be_visible()
    expect(status(page)).to_be_hidden()
    assert Session.objects.filter(pk__gt=before).count() == 3


def test_a_session_kept_offline_for_a_person_whose_link_ended_meanwhile_stays_on_the_tablet_with_why(
    reopenable_tablet, live_server
):
    base = live_server.url
    context = reopenable_tablet()
    page = first_page(context)
    sign_in(page, base, PRACTITIONER)
    assert page.url == f"{base}/"
    wait_until_kept(page)
    before = Session.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    context.set_offline(True)
    page.reload()
    expect(page.locator("[data-offline-banner]")).to_have_text(OFFLINE_BANNER)
    page.locator(".log-with-first").click()
    page.wait_for_url(re.compile(r"/log/\d+/$"))
    expect(page.locator("[data-offline-banner]")).to_have_text(OFFLINE_BANNER)
    name = page.get_by_role("heading", level=1).inner_text().removeprefix("Session with ")
    page.get_by_label("Natural end", exact=True).click()
    kept = save_offline(page)
    expect(status(page)).to_contain_text("(1 waiting)")

    # Meanwhile, the co-ordinator ends Sam's link with this person.
    ended = Assignment.objects.filter(learner_id=kept["learner"], user__email=PRACTITIONER)
    assert ended.update(ends_on=timezone.localdate() - timedelta(days=1)) == 1

    context.set_offline(False)
    expect(status(page)).to_contain_text("1 session could not be sent.")
    assert not Session.objects.filter(pk__gt=before).exists()
    status(page).get_by_role("link", name="See why").click()
    item = page.locator("#queue-refused .queue-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text(f"Session with {name}")
    expect(item).to_contain_text(f"{kept['minutes']} min")
    expect(item).to_contain_text("You can no longer add records for this person here, so this was not sent.")

    # Nothing is dropped: the browser closed and opened again, the refused save is still there, with its reason.
    context.close()
    context = reopenable_tablet()
    page = first_page(context)
    sign_in(page, base, PRACTITIONER)
    expect(status(page)).to_contain_text("1 session could not be sent.")
    status(page).get_by_role("link", name="See why").click()
    expect(page.locator("#queue-refused .queue-item")).to_contain_text("You can no longer add records for this person")
    expect(page.locator("#queue-waiting .queue-item")).to_have_count(0)
    assert not Session.objects.filter(pk__gt=before).exists()

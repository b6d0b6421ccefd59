"""Saves made with no connection are kept on the tablet and sent, once each, when the connection returns."""

import re
import time
import uuid

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from attunement.learners.models import Assignment, Learner
from attunement.practice.models import HomeObservation, Session

from .conftest import log_in

PRACTITIONER = "sam@oakfield.example"
FAMILY = "parent@oakfield.example"


def people_of_the_quick_log(page, base, count):
    """The quick log addresses of the first `count` people the practitioner is offered."""
    page.goto(f"{base}/log/")
    cards = page.locator(".choose-card")
    return [base + cards.nth(i).get_attribute("href") for i in range(count)]


def learner_of(url) -> Learner:
    return Learner.objects.get(pk=int(re.search(r"/log/(\d+)/", url).group(1)))


def log_offline(page, minutes: int, note: str):
    """Fill the quick log's essentials and save, with the tablet offline: it is kept on the tablet."""
    usual = page.locator("#id_minutes").get_attribute("value")  # the length the form chose when it opened
    page.locator("#id_minutes").fill(str(minutes))
    page.get_by_label("Natural end", exact=True).click()
    page.get_by_label(re.compile("^What happened")).fill(note)
    page.get_by_role("button", name="Save session").click()
    expect(page.locator("#queue-kept")).to_contain_text("saved on this tablet")
    expect(page.locator("#id_minutes")).to_have_value(usual or "")  # ready for the next one, with its defaults
    expect(page.get_by_label(re.compile("^What happened"))).to_have_value("")


def status(page):
    return page.locator("#queue-status")


def test_three_sessions_logged_offline_survive_a_restart_and_are_sent_once_each(reopenable_tablet, live_server):
    base = live_server.url
    context = reopenable_tablet()
    first = context.pages[0] if context.pages else context.new_page()
    log_in(first, base, PRACTITIONER)
    url_a, url_b = people_of_the_quick_log(first, base, 2)
    first.goto(url_a)
    second = context.new_page()
    second.goto(url_b)

    context.set_offline(True)
    run = uuid.uuid4().hex[:8]
    wanted = [(url_a, 7, f"Offline A1 {run}"), (url_a, 11, f"Offline A2 {run}"), (url_b, 13, f"Offline B1 {run}")]
    log_offline(first, 7, wanted[0][2])
    expect(status(first)).to_contain_text("Saved on this tablet — will send when online (1 waiting)")
    log_offline(first, 11, wanted[1][2])
    log_offline(second, 13, wanted[2][2])
    expect(status(second)).to_contain_text("(3 waiting)")
    expect(status(first)).to_contain_text("(3 waiting)")  # every open page knows
    assert not Session.objects.filter(what_happened__endswith=run).exists()

    # The browser is closed and opened again (as after a restart), still with no connection.
    context.close()
    context = reopenable_tablet()
    page = context.pages[0] if context.pages else context.new_page()
    context.set_offline(False)
    page.goto(f"{base}/")
    if "/accounts/login/" in page.url:  # the login did not outlive the browser: sending waits for it
        log_in(page, base, PRACTITIONER)
    back_online = time.monotonic()
    expect(status(page)).to_contain_text("Sent")
    print(f"\nThree kept sessions sent {time.monotonic() - back_online:.1f} s after the page opened, online")
    saved = Session.objects.filter(what_happened__endswith=run)
    assert sorted((s.learner_id, s.minutes, s.what_happened) for s in saved) == sorted(
        (learner_of(url).pk, minutes, note) for url, minutes, note in wanted
    )

    # Opening more pages sends nothing twice.
    page.goto(f"{base}/log/")
    page.reload()
    expect(status(page)).to_be_hidden()
    assert Session.objects.filter(what_happened__endswith=run).count() == 3


def test_a_save_refused_after_the_link_ended_stays_on_the_tablet_with_why_until_discarded(tablet, live_server):
    page, base = tablet, live_server.url
    log_in(page, base, PRACTITIONER)
    (url,) = people_of_the_quick_log(page, base, 1)
    page.goto(url)
    page.context.set_offline(True)
    log_offline(page, 9, "Kept while the link ended")
    Assignment.objects.filter(learner=learner_of(url), user__email=PRACTITIONER).delete()

    page.context.set_offline(False)
    expect(status(page)).to_contain_text("1 session could not be sent.")
    assert not Session.objects.filter(what_happened="Kept while the link ended").exists()
    page.get_by_role("link", name="See why").click()
    item = page.locator(".queue-item")
    expect(item).to_contain_text("Kept while the link ended")
    expect(item).to_contain_text("You can no longer add records for this person here")

    page.reload()  # still there: nothing is dropped
    expect(page.locator(".queue-item")).to_have_count(1)
    violations = Axe().run(page).response["violations"]
    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Discard").click()
    expect(page.locator(".queue-item")).to_have_count(0)
    expect(page.get_by_text("Nothing is waiting on this tablet.")).to_be_visible()
    expect(status(page)).to_be_hidden()
    assert not Session.objects.filter(what_happened="Kept while the link ended").exists()


def test_a_refused_save_opens_in_its_form_filled_in_and_is_saved_once_when_fixed(tablet, live_server):
    page, base = tablet, live_server.url
    log_in(page, base, PRACTITIONER)
    (url,) = people_of_the_quick_log(page, base, 1)
    page.goto(url)
    page.context.set_offline(True)
    log_offline(page, 900, "Far too long to be true")  # over the longest a session may be
    page.context.set_offline(False)
    expect(status(page)).to_contain_text("could not be sent")
    page.get_by_role("link", name="See why").click()
    page.get_by_role("link", name="Open it in the form").click()
    expect(page.get_by_text("This was not sent. Please check it, then save it again.")).to_be_visible()
    expect(page.locator("#id_minutes")).to_have_value("900")
    expect(page.get_by_label(re.compile("^What happened"))).to_have_value("Far too long to be true")

    page.locator("#id_minutes").fill("20")
    page.get_by_role("button", name="Save session").click()
    page.wait_for_url(re.compile(r"/timeline/$"))
    expect(status(page)).to_be_hidden()
    assert [s.minutes for s in Session.objects.filter(what_happened="Far too long to be true")] == [20]


def test_a_note_from_home_written_offline_is_sent_once(tablet, live_server):
    page, base = tablet, live_server.url
    log_in(page, base, FAMILY)
    person = Learner.objects.filter(assignments__user__email=FAMILY).first()
    page.goto(f"{base}/family/{person.pk}/notes/new/")
    page.context.set_offline(True)
    page.get_by_label("What did you notice?").fill("Sang in the bath, offline")
    page.get_by_role("button", name="Send to the team").click()
    expect(status(page)).to_contain_text("(1 waiting)")
    assert not HomeObservation.objects.filter(text="Sang in the bath, offline").exists()
    page.context.set_offline(False)
    expect(status(page)).to_contain_text("Sent")
    assert HomeObservation.objects.filter(text="Sang in the bath, offline", learner=person).count() == 1


def test_signing_out_warns_of_unsent_saves_and_then_forgets_them_with_drafts_and_cached_pages(tablet, live_server):
    page, base = tablet, live_server.url
    log_in(page, base, PRACTITIONER)
    (url,) = people_of_the_quick_log(page, base, 1)
    # Saving never reaches the server here (the connection drops on the way), though pages still load.
    page.context.route(
        re.compile(r".*/log/\d+/$"),
        lambda route: route.abort() if route.request.method == "POST" else route.continue_(),
    )
    page.goto(url)
    user = page.locator("#queue-status").get_attribute("data-user")
    log_offline(page, 8, "Only on this tablet")
    expect(status(page)).to_contain_text("(1 waiting)")
    page.get_by_label(re.compile("^What happened")).fill("A draft being typed")
    page.evaluate(f"caches.open('attunement-pages-{user}').then(c => c.put('/x', new Response('page')))")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("dialog")).to_contain_text("1 session is only on this tablet.")
    page.get_by_role("button", name="Stay signed in").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(status(page)).to_contain_text("(1 waiting)")

    page.get_by_role("button", name="Log out").click()
    page.get_by_role("button", name="Sign out and lose it").click()
    page.wait_for_url(re.compile(r"/accounts/"))
    left = page.evaluate(
        """() => new Promise((resolve) => {
            const open = indexedDB.open("attunement-queue", 1);
            open.onsuccess = () => {
              const all = open.result.transaction("saves").objectStore("saves").getAll();
              all.onsuccess = () => resolve(all.result.length);
            };
          })"""
    )
    assert left == 0
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('attunement:draft:')).length") == 0
    assert page.evaluate(f"caches.has('attunement-pages-{user}')") is False
    assert not Session.objects.filter(what_happened="Only on this tablet").exists()


def test_after_the_login_ends_saves_wait_for_their_own_user_and_go_after_they_sign_in(tablet, live_server):
    from django.contrib.sessions.models import Session as LoginSession

    page, base = tablet, live_server.url
    log_in(page, base, PRACTITIONER)
    (url,) = people_of_the_quick_log(page, base, 1)
    page.goto(url)
    page.context.set_offline(True)
    log_offline(page, 6, "Waited for Sam")
    LoginSession.objects.all().delete()  # the login ended while the tablet was away

    page.context.set_offline(False)
    expect(status(page)).to_contain_text("Sign in to send 1 saved session")
    assert not Session.objects.filter(what_happened="Waited for Sam").exists()

    # Someone else signs in on this tablet: Sam's save is neither shown to them nor sent in their login.
    log_in(page, base, FAMILY)
    page.goto(f"{base}/saved-on-this-tablet/")
    expect(page.get_by_text("Nothing is waiting on this tablet.")).to_be_visible()
    expect(status(page)).to_be_hidden()
    assert not Session.objects.filter(what_happened="Waited for Sam").exists()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/accounts/"))

    log_in(page, base, PRACTITIONER)
    expect(status(page)).to_contain_text("Sent")
    assert Session.objects.filter(what_happened="Waited for Sam").count() == 1


def test_try_to_send_now_says_plainly_that_there_is_no_connection_yet(tablet, live_server):
    page, base = tablet, live_server.url
    log_in(page, base, PRACTITIONER)
    (url,) = people_of_the_quick_log(page, base, 1)
    page.goto(url)
    saves = page.context.new_page()
    saves.goto(f"{base}/saved-on-this-tablet/")
    expect(saves.get_by_text("Nothing is waiting on this tablet.")).to_be_visible()

    page.context.set_offline(True)
    log_offline(page, 12, "Sent when the signal came back")
    expect(saves.locator("#queue-waiting .queue-item")).to_have_count(1)  # the other page heard of it
    saves.get_by_role("button", name="Try to send now").click()
    expect(saves.locator("#queue-send-result")).to_have_text(
        "There is no connection yet. It stays on this tablet and goes by itself when there is one."
    )
    assert not Session.objects.filter(what_happened="Sent when the signal came back").exists()

    page.context.set_offline(False)
    expect(saves.get_by_text("Nothing is waiting on this tablet.")).to_be_visible()
    assert Session.objects.filter(what_happened="Sent when the signal came back").count() == 1

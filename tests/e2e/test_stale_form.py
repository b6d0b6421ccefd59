"""A quick log left open while the person signed out and in again in another tab keeps its words."""

import re

from axe_playwright_python.sync_playwright import Axe

from attunement.practice.models import Session

from .conftest import log_in

PRACTITIONER = "sam@oakfield.example"
NOTE = "Rocked together by the window, then she reached for the blind cord."


def test_a_stale_quick_log_shows_a_kind_page_with_the_draft_and_sends_it_once(tablet, live_server):
    page, base = tablet, live_server.url
    log_in(page, base, PRACTITIONER)
    page.goto(f"{base}/log/")
    page.locator(".choose-card").first.click()
    page.wait_for_url(re.compile(r"/log/\d+/$"))
    page.get_by_role("button", name="15 min").click()
    page.get_by_label(re.compile("^What happened")).fill(NOTE)

    other_tab = page.context.new_page()
    other_tab.goto(f"{base}/")
    other_tab.once("dialog", lambda dialog: dialog.accept())  # "Log out and forget it?" — yes
    other_tab.get_by_role("button", name="Log out").click()
    other_tab.wait_for_url(re.compile(r"/accounts/login/"))
    log_in(other_tab, base, PRACTITIONER)
    other_tab.close()

    before = Session.objects.count()
    page.get_by_role("button", name="Save session").click()
    page.get_by_role("heading", name="Your page was open from before you signed in again").wait_for()
    assert "CSRF" not in page.content()
    assert page.get_by_text("Your words are below — copy them or send again").is_visible()
    assert page.get_by_label("What happened").input_value() == NOTE
    assert Session.objects.count() == before
    violations = Axe().run(page).response["violations"]
    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []

    page.get_by_role("button", name="Send again").dblclick()  # a double tap
    page.wait_for_url(re.compile(r"/timeline/$"))
    assert NOTE in page.locator(".session-card").first.inner_text()
    assert Session.objects.filter(what_happened=NOTE).count() == 1
    assert Session.objects.get(what_happened=NOTE).minutes == 15

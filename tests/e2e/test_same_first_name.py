"""The demo school has Chloe Jones and Chloe Taylor: every page tells them apart, in real Chromium."""

import re

from .conftest import log_in

PRACTITIONER = "sam@oakfield.example"


def test_the_two_chloes_are_told_apart_from_picker_to_saved_message(tablet, live_server):
    page, base = tablet, live_server.url
    log_in(page, base, PRACTITIONER)
    page.goto(f"{base}/log/")
    assert page.locator(".choose-card", has_text="Chloe Jones").count() == 1
    assert page.locator(".choose-card", has_text="Chloe Taylor").count() == 1

    page.locator(".choose-card", has_text="Chloe Jones").click()
    page.wait_for_url(re.compile(r"/log/\d+/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Session with Chloe J."
    page.get_by_role("button", name="10 min").click()
    page.get_by_role("button", name="Save session").click()
    page.wait_for_url(re.compile(r"/timeline/$"))
    assert page.get_by_text("Session with Chloe J. saved.").is_visible()
    assert page.get_by_role("heading", level=1).inner_text() == "Chloe J.'s sessions"

    page.goto(f"{base}/log/")
    page.locator(".choose-card", has_text="Chloe Taylor").click()
    page.wait_for_url(re.compile(r"/log/\d+/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Session with Chloe T."

    page.goto(f"{base}/")
    recent = page.locator("#recent-heading + ul").inner_text()
    assert "Chloe J." in recent

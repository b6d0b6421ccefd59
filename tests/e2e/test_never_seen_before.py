"""'Never seen before' is checked against the person's history in the quick log, in real Chromium."""

import re

from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from attunement.practice.models import ObservedBehaviour, Session

from .conftest import log_in

PRACTITIONER = "sam@oakfield.example"
BEHAVIOUR = "Reached for my hand"


def _person_with_history():
    """One of Sam's people for whom the demo recorded "Reached for my hand", with how often and since when."""
    recorded = ObservedBehaviour.objects.filter(
        session__learner__assignments__user__email=PRACTITIONER,
        session__withdrawn_at__isnull=True,
        description__iexact=BEHAVIOUR,
    ).select_related("session")
    learner_id = recorded.first().session.learner_id
    mine = recorded.filter(session__learner_id=learner_id).order_by("session__started_at")
    return learner_id, mine.count(), timezone.localtime(mine.first().session.started_at)


def test_a_behaviour_already_seen_is_questioned_and_can_be_marked_typical(tablet, live_server):
    page, base = tablet, live_server.url
    learner_id, times, first_on = _person_with_history()
    log_in(page, base, PRACTITIONER)
    page.goto(f"{base}/log/{learner_id}/")
    page.get_by_role("button", name="10 min").click()
    page.get_by_label("Behaviour", exact=True).fill("reached for my hand.")
    page.get_by_label("Never seen before", exact=True).first.click()
    expected = f"Seen before: {times} times, first on {first_on:%-d %b %Y}"
    live_hint = page.locator(".seen-hint").first
    expect(live_hint).to_have_text(f"{expected}. Is it really new?")  # before saving
    page.get_by_label("Typical", exact=True).first.click()
    expect(live_hint).to_have_text("")
    page.get_by_label("Never seen before", exact=True).first.click()
    before = Session.objects.count()
    page.get_by_role("button", name="Save session").click()

    warning = page.locator(".seen-before-check legend")
    warning.wait_for()
    assert warning.inner_text().startswith(expected)
    assert page.get_by_text("Nothing was saved yet").is_visible()
    assert Session.objects.count() == before
    assert page.get_by_label("Yes, it is new (save as never seen before)").is_visible()
    violations = Axe().run(page).response["violations"]
    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []

    page.get_by_label("Mark it as typical").check()
    page.get_by_role("button", name="Save session").click()
    page.wait_for_url(re.compile(rf"/learners/{learner_id}/timeline/$"))
    saved = Session.objects.order_by("-pk").first()
    assert list(saved.behaviours.values_list("description", "novelty")) == [("reached for my hand.", "typical")]
    newest = page.locator(".session-card").first
    assert "Never seen before" not in newest.inner_text()

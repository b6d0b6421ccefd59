"""Correcting and withdrawing a saved session in real Chromium, against a running server."""

import re
from datetime import timedelta

from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from attunement.learners.models import Assignment
from attunement.organisations.models import Membership
from attunement.practice.models import Session
from attunement.practice.services import SessionDetails, session_record

from .conftest import log_in


def assert_accessible(page):
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], [(v["id"], v["help"]) for v in serious]


PRACTITIONER = "sam@oakfield.example"
COORDINATOR = "priya@oakfield.example"
PARENT = "parent@oakfield.example"


def _saved_by(email: str, learner, minutes: int, note: str) -> Session:
    actor = Membership.objects.get(user__email=email)
    details = SessionDetails(
        started_at=timezone.now() - timedelta(minutes=30), minutes=minutes, place="Classroom", what_happened=note
    )
    return session_record(actor=actor, learner=learner, details=details).session


def test_a_practitioner_fixes_the_minutes_and_sees_who_changed_what(tablet, live_server):
    page, base = tablet, live_server.url
    learner = Assignment.objects.filter(user__email=PRACTITIONER).first().learner
    session = _saved_by(PRACTITIONER, learner, 20, "Rolled the ball back and forth")
    log_in(page, base, PRACTITIONER)

    page.goto(f"{base}/learners/{learner.pk}/sessions/{session.pk}/")
    page.get_by_role("link", name="Correct this session").click()
    page.wait_for_url(re.compile(rf"/sessions/{session.pk}/correct/$"))
    minutes = page.locator("#id_minutes")
    assert minutes.input_value() == "20"
    assert page.get_by_label(re.compile("^What happened")).input_value() == "Rolled the ball back and forth"
    assert_accessible(page)
    minutes.fill("15")
    page.get_by_label("What was wrong?").fill("It was 15 minutes, not 20")
    page.get_by_role("button", name="Save correction").click()
    page.wait_for_url(re.compile(rf"/sessions/{session.pk}/$"))

    assert_accessible(page)
    history = page.locator("section[aria-labelledby=history-heading]")
    today = f"{timezone.localdate():%-d %b %Y}"
    assert f"Changed by Sam Okafor on {today}: minutes 20 → 15" in history.inner_text()
    assert "15 minutes" in page.locator("p.lead").inner_text()
    session.refresh_from_db()
    assert session.minutes == 15


def test_a_coordinator_withdraws_a_session_and_it_leaves_the_timeline_and_the_family_page(
    tablet, new_tablet, live_server
):
    page, base = tablet, live_server.url
    child = Assignment.objects.filter(user__email=PARENT).first().learner
    note = "Logged here by mistake: splashing at the pool"
    session = _saved_by(PRACTITIONER, child, 10, note)

    family = new_tablet()
    log_in(family, base, PARENT)
    family.goto(f"{base}/family/{child.pk}/")
    assert note in family.content()

    log_in(page, base, COORDINATOR)
    page.goto(f"{base}/learners/{child.pk}/timeline/")
    assert page.get_by_text(note).is_visible()
    page.goto(f"{base}/learners/{child.pk}/sessions/{session.pk}/")
    page.get_by_role("link", name="Withdraw this session").click()
    page.wait_for_url(re.compile(rf"/sessions/{session.pk}/withdraw/$"))
    page.get_by_role("button", name="Withdraw this session").click()
    page.get_by_text("Please say why, in a few words.").first.wait_for()  # a reason is needed
    assert_accessible(page)
    page.get_by_label("Why are you withdrawing it?").fill("Logged for the wrong pupil")
    page.get_by_role("button", name="Withdraw this session").click()
    page.wait_for_url(re.compile(rf"/learners/{child.pk}/timeline/$"))
    assert page.get_by_text("The session is withdrawn.").is_visible()
    assert note not in page.content()

    family.reload()
    assert note not in family.content()

    # The co-ordinator can still open it, marked withdrawn, with who did it and why.
    page.goto(f"{base}/learners/{child.pk}/sessions/{session.pk}/")
    banner = page.locator(".withdrawn-banner")
    assert "Withdrawn by Priya Shah" in banner.inner_text() and "Logged for the wrong pupil" in banner.inner_text()

    # Withdrawn by mistake? It can be brought back, with a reason, and counts again.
    page.get_by_role("link", name="Bring it back").click()
    page.wait_for_url(re.compile(rf"/sessions/{session.pk}/withdraw/$"))
    assert_accessible(page)
    page.get_by_label("Why are you bringing it back?").fill("It was this pupil after all")
    page.get_by_role("button", name="Bring it back").click()
    page.wait_for_url(re.compile(rf"/sessions/{session.pk}/$"))
    history = page.locator("section[aria-labelledby=history-heading]").inner_text()
    assert "Brought back by Priya Shah" in history and "It was this pupil after all" in history
    page.goto(f"{base}/learners/{child.pk}/timeline/")
    assert page.get_by_text(note).is_visible()


def test_a_coordinator_corrects_a_level_in_a_progress_review(tablet, live_server):
    from attunement.practice.models import ProgressReview

    page, base = tablet, live_server.url
    review = ProgressReview.objects.filter(learner__organisation__name__startswith="Oakfield").first()
    rating = review.ratings.select_related("fundamental", "level").first()
    other = review.scale.levels.exclude(pk=rating.level_id).first()
    log_in(page, base, COORDINATOR)
    page.goto(f"{base}/learners/{review.learner_id}/reviews/{review.pk}/")
    page.get_by_role("link", name="Correct this review").click()
    page.wait_for_url(re.compile(rf"/reviews/{review.pk}/correct/$"))
    item = page.locator("fieldset.review-item", has_text=rating.fundamental.name)
    item.get_by_label("Level").select_option(str(other.pk))
    page.get_by_role("button", name="Save correction").click()
    page.wait_for_url(re.compile(rf"/reviews/{review.pk}/$"))
    history = page.locator("section[aria-labelledby=history-heading]").inner_text()
    assert f"{rating.fundamental.name} {rating.level.label} → {other.label}" in history
    assert "Changed by Priya Shah" in history

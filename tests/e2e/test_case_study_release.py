"""A co-ordinator checks, edits and releases an anonymised case study in real Chromium, then downloads it."""

import io
from datetime import timedelta

from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from attunement.learners.models import Learner
from attunement.organisations.models import Membership
from attunement.practice.services import SessionDetails, session_record
from attunement.privacy.selectors import consent_allows

from .conftest import log_in


def serious_problems(page) -> list[str]:
    violations = Axe().run(page).response["violations"]
    return [f"{v['id']}: {v['help']}" for v in violations if v["impact"] in ("serious", "critical")]


def test_a_coordinator_reviews_edits_and_releases_a_case_study(tablet, live_server):
    page, base = tablet, live_server.url
    people = Learner.objects.filter(organisation__name="Oakfield Special School", is_active=True).order_by("pk")
    learner = next(person for person in people if consent_allows(person, "reports"))
    sam = Membership.objects.get(user__email="sam@oakfield.example")
    full_name = f"{learner.first_name} {learner.last_name}"
    moment = f"{learner.display_name} took Sam Okafor's hand at Oakfield for the first time"
    aside = f"{full_name} giggled at Sam in the hall"
    for days, text in ((2, moment), (1, aside)):
        session_record(
            actor=sam,
            learner=learner,
            details=SessionDetails(
                started_at=timezone.now() - timedelta(days=days), minutes=10, significant_moment=text
            ),
        )

    log_in(page, base, "priya@oakfield.example")
    page.goto(f"{base}/learners/{learner.pk}/reports/")
    page.get_by_role("link", name="Anonymised case study").first.click()
    expect(page.get_by_text("Waiting for review.")).to_be_visible()
    assert page.get_by_role("link", name="Download the PDF").count() == 0
    assert "took" not in page.locator("article.report").inner_text()

    page.get_by_role("link", name="Check the sentences and release").click()
    page.get_by_role("heading", name="Check the case study before it is released").wait_for()
    assert serious_problems(page) == []
    first = page.locator("fieldset", has_text=f"As it was written: “{moment}”")
    suggested = first.get_by_label("As it will appear in the case study")
    assert suggested.input_value() == ("[the pupil] took [a member of staff]'s hand at [the school] for the first time")
    # A name typed back in is refused, in plain words, and nothing is released.
    suggested.fill("Sam helped [the pupil] reach out for the first time")
    second = page.locator("fieldset", has_text=f"As it was written: “{aside}”")
    second.get_by_label("Leave this sentence out").check()
    page.get_by_role("button", name="Release case study").click()
    page.get_by_text("Nothing was released").wait_for()
    assert page.locator("h1").count() == 1 and serious_problems(page) == []
    assert page.get_by_text("“Sam” is a name Attunement knows").first.is_visible()

    first = page.locator("fieldset", has_text=f"As it was written: “{moment}”")
    first.get_by_label("As it will appear in the case study").fill(
        "[the pupil] reached out and took an adult's hand for the first time"
    )
    page.locator("fieldset", has_text=f"As it was written: “{aside}”").get_by_label("Leave this sentence out").check()
    page.get_by_role("button", name="Release case study").click()
    page.get_by_text("The case study is released").wait_for()
    report = page.locator("article.report").inner_text()
    assert "reached out and took an adult's hand" in report
    assert "giggled" not in report and "Sam" not in report and learner.first_name not in report

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").click()
    data = open(download.value.path(), "rb").read()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "reached out and took an adult's hand" in " ".join(text.split())
    for name in (learner.first_name, learner.last_name, learner.display_name, "Sam", "Okafor", "Oakfield", "giggled"):
        assert name not in text, name

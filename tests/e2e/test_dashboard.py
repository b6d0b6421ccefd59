"""The demo co-ordinator opens the dashboard in real Chromium: the consent alerts name exactly the people whose
consent review is due or whose consent has expired, each linked to their consent page, and the charts draw."""

import re

from axe_playwright_python.sync_playwright import Axe

from attunement.learners.models import Learner
from attunement.privacy.consent_rules import Status
from attunement.privacy.selectors import consent_status

from .conftest import log_in


def consent_truth(organisation_name: str) -> dict[Status, dict[str, list[str]]]:
    """From each person's own consent page's rule: the purposes due for review and expired, by person."""
    truth = {Status.REVIEW_DUE: {}, Status.EXPIRED: {}}
    for learner in Learner.objects.filter(organisation__name=organisation_name, is_active=True):
        for row in consent_status(learner):
            if row.status in truth:
                truth[row.status].setdefault(f"{learner.display_name} {learner.last_name}", []).append(row.label)
    return truth


def test_the_coordinator_sees_consent_alerts_and_charts(tablet, live_server):
    page, base = tablet, live_server.url
    truth = consent_truth("Oakfield Special School")
    due, expired = truth[Status.REVIEW_DUE], truth[Status.EXPIRED]
    assert due and expired  # the demo has both

    log_in(page, base, "priya@oakfield.example")
    page.get_by_role("link", name="Dashboard: means and ends, with alerts").click()
    page.get_by_role("heading", name="Needs attention").wait_for()

    review_card = page.locator("#alert-consent-review")
    expired_card = page.locator("#alert-consent-expired")
    due_consents = sum(len(purposes) for purposes in due.values())
    expired_consents = sum(len(purposes) for purposes in expired.values())
    people = lambda n: f"{n} person" if n == 1 else f"{n} people"  # noqa: E731
    assert review_card.get_by_role("heading").inner_text() == (
        f"Consent reviews due: {due_consents} ({people(len(due))})"
    )
    assert expired_card.get_by_role("heading").inner_text() == (
        f"Consents expired: {expired_consents} ({people(len(expired))})"
    )
    assert sorted(review_card.get_by_role("link").all_inner_texts()) == sorted(due)
    assert sorted(expired_card.get_by_role("link").all_inner_texts()) == sorted(expired)
    for name, purposes in expired.items():
        line = expired_card.locator("li", has_text=name)
        for purpose in purposes:
            assert purpose.lower() in line.inner_text()

    # Both charts are drawn, with their figures in words for a screen reader.
    weeks = page.get_by_role("img", name="Sessions each week against the targets")
    weeks.scroll_into_view_if_needed()
    assert weeks.is_visible() and weeks.locator("rect.bar").count() >= 40  # about a year of whole weeks
    assert weeks.locator("rect.bar").first.bounding_box()["height"] > 0
    assert "the dashed line is the" in weeks.locator("desc").text_content()
    progress = page.get_by_role("img", name="How many people moved on their Fundamentals")
    progress.scroll_into_view_if_needed()
    assert progress.is_visible()
    said = progress.locator("desc").text_content()
    groups = re.findall(r"([A-Z][^:.]*): (\d+)\.", said)
    assert [name for name, _ in groups] == [
        "Up on most items",
        "Up on some, down on none",
        "Up on some, down on others",
        "No change",
        "Down only",
        "One review so far",
        "No review in the period",
    ]
    up_most = int(groups[0][1])
    figures = page.locator("#progress-figures").inner_text()
    assert up_most + int(groups[1][1]) > 0  # the demo's people have moved
    assert figures.startswith(f"Moved up on more than half of their items\n{up_most}")
    violations = Axe().run(page).response["violations"]
    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []

    # Each person in a consent alert leads to their consent page.
    first_name = sorted(expired)[0]
    expired_card.get_by_role("link", name=first_name).click()
    page.wait_for_url(re.compile(r"/privacy/learners/\d+/$"))
    assert page.get_by_text("Expired").first.is_visible()

"""A form sent back with problems, in real Chromium: the page starts at its one summary, each link in it takes
the reader to the input, and the page passes the axe accessibility engine (which checks, among much else, that
every id an input says describes it is on the page)."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from attunement.learners.models import Learner

from .conftest import log_in

# Each page's own form, sent with nothing filled in (the browser's own checks are left out, as a browser
# without them would send it).
PAGES = [
    "/learners/new/",
    "/learners/{id}/plans/new/",
    "/log/{id}/",
    "/learners/{id}/reviews/new/",
    "/privacy/learners/{id}/consents/new/",
    "/means/training/record/",
    "/means/supervision/new/",
]
SEND_EMPTY = """() => {
  const form = [...document.querySelectorAll("main form[method=post]")]
    .filter((f) => !f.getAttribute("action"))
    .sort((a, b) => b.elements.length - a.elements.length)[0];
  const boxes = form.querySelectorAll("input[type=text], input[type=number], input[type=date], textarea");
  for (const box of boxes) box.value = "";
  for (const list of form.querySelectorAll("select")) list.selectedIndex = -1;
  form.noValidate = true;
  form.requestSubmit();
}"""


def test_a_form_sent_empty_starts_at_its_summary_whose_links_reach_the_inputs(tablet, live_server):
    page, base = tablet, live_server.url
    log_in(page, base, "priya@oakfield.example")
    learner = Learner.objects.filter(organisation__name="Oakfield Special School").first()
    axe = Axe()
    problems = {}
    for path in PAGES:
        page.goto(base + path.format(id=learner.pk))
        with page.expect_navigation():
            page.evaluate(SEND_EMPTY)
        summary = page.locator("#error-summary")
        expect(summary).to_be_focused()
        expect(summary.get_by_role("heading")).to_have_text("There is a problem")
        first_link = summary.get_by_role("link").first
        target = first_link.get_attribute("href")
        first_link.click()
        expect(page.locator(target)).to_be_focused()
        expect(page.locator(target)).to_be_in_viewport()
        expect(page.locator(target)).to_have_attribute("aria-invalid", "true")
        violations = axe.run(page).response["violations"]
        serious = [f"{v['id']}: {v['help']}" for v in violations if v["impact"] in ("serious", "critical")]
        if serious:
            problems[path] = serious
    assert problems == {}

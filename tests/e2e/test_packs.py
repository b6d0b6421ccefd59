"""Co-ordinators at the school and at the adult service open their inspector pack in real Chromium: it follows
the inspector's own framework, says what every figure counts, and never calls a hidden figure "fewer than 5"
unless it is."""

import io
import re

from django.utils import timezone
from pypdf import PdfReader

from attunement.organisations.models import Organisation
from attunement.outcomes.selectors import counted_people

from .conftest import log_in


def figure_rows(page, label: str) -> dict[str, str]:
    """The rows of a figure's breakdown, as the reader sees them."""
    table = page.locator("dt", has_text=label).locator("xpath=following-sibling::dd[1]").locator("table")
    return {
        row.locator("th").inner_text().strip(): row.locator("td").inner_text().strip()
        for row in table.locator("tr").all()
    }


def test_the_inspector_pack_at_the_school_and_at_the_adult_service(tablet, live_server):
    page, base = tablet, live_server.url
    for email, name, areas, word in (
        (
            "priya@oakfield.example",
            "Oakfield Special School",
            ["Inclusion", "Curriculum and teaching", "Achievement", "Leadership and governance"],
            "Pupils",
        ),
        (
            "jo@riverside.example",
            "Riverside Adult Service",
            ["Safe", "Effective", "Caring", "Responsive", "Well-led"],
            "People we support",
        ),
    ):
        page.context.clear_cookies()
        log_in(page, base, email)
        page.goto(f"{base}/organisation/summary/inspection/")
        page.get_by_role("heading", name="Evidence for inspectors").wait_for()
        for area in areas:
            assert page.get_by_role("heading", name=area, exact=True).is_visible()
        text = page.locator("article").inner_text()
        organisation = Organisation.objects.get(name=name)
        people = counted_people(organisation, timezone.localdate()).count()
        assert re.search(rf"{word} counted\s+{people}\b", text), f"{word} counted: {people}"
        # Every figure says what it counts.
        figures = page.locator("dl.pack-figures dt").count()
        assert figures >= 10 and page.locator("dl.pack-figures p.pack-means").count() == figures
        # Hidden figures are described truly; nobody is under a legal hold, so that line is not there at all.
        assert "legal hold" not in text
        target = figure_rows(page, f"{word} who met their weekly session target")
        assert set(target) == {"Met it", "Did not"}
        assert "hidden to protect privacy" in target.values() or all(v.isdigit() for v in target.values())
        moved = figure_rows(page, "How their progress moved")
        assert "Moved up on more than half of their items" in moved
        # Charts are drawn, with a text alternative, and the trend compares this term with last.
        assert page.locator("svg.pack-bars[role=img]").count() >= 1
        this_term = "This term so far" if word == "Pupils" else "This review period so far"
        assert page.get_by_role("heading", name=re.compile(this_term)).is_visible()
        with page.expect_download() as pack:
            page.get_by_role("link", name="Download the PDF").click()
        data = open(pack.value.path(), "rb").read()
        pdf = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
        assert areas[0] in pdf and "What it counts" in pdf and name in pdf
        if word == "People we support":
            assert "People we support supported" not in text and "CQC quality statement" in text
        else:
            assert "Ofsted" in text

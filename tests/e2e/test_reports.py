"""A co-ordinator produces the inspector pack and a family report in real Chromium, and downloads both."""

import io

from playwright.sync_api import expect
from pypdf import PdfReader

from attunement.learners.models import Learner

from .conftest import log_in


def downloaded_text(download) -> str:
    data = open(download.path(), "rb").read()
    assert data[:5] == b"%PDF-"
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_coordinator_downloads_the_inspector_pack_and_a_family_report(tablet, live_server):
    page, base = tablet, live_server.url
    log_in(page, base, "priya@oakfield.example")

    page.get_by_role("link", name="Reports", exact=True).click()
    page.get_by_role("link", name="Evidence for inspectors").click()
    expect(page.get_by_role("heading", name="Curriculum and teaching")).to_be_visible()
    with page.expect_download() as pack:
        page.get_by_role("link", name="Download the PDF").click()
    text = downloaded_text(pack.value)
    assert "Curriculum and teaching" in text and "Leadership and governance" in text
    assert pack.value.suggested_filename.startswith("inspectors-")

    learner = Learner.objects.filter(organisation__name="Oakfield Special School").order_by("pk").first()
    page.goto(f"{base}/learners/{learner.pk}/")
    page.get_by_role("link", name="Reports", exact=True).last.click()
    page.get_by_role("link", name="For the family").click()
    expect(page.get_by_role("heading", name=f"{learner.display_name}: what the team has seen")).to_be_visible()
    with page.expect_download() as family:
        page.get_by_role("link", name="Download the PDF").click()
    assert f"{learner.display_name}: what the team has seen" in downloaded_text(family.value)

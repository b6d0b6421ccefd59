"""A data protection officer's questions, in real Chromium: the parent's visits to the family page are picked
out with "Done by", a report read says which report and format, and the filtered trail downloads as a CSV
that Excel reads as UTF-8 (it starts with the byte-order mark) and as an Excel file."""

import codecs
import csv
import io

import openpyxl
from django.urls import reverse

from .conftest import log_in


def test_a_coordinator_picks_out_a_parents_visits_and_downloads_them(tablet, live_server):
    page, base = tablet, live_server.url
    log_in(page, base, "parent@oakfield.example")
    page.goto(f"{base}/family/")
    context = page.context
    context.clear_cookies()

    log_in(page, base, "priya@oakfield.example")
    pack = reverse("outcomes:organisation_report", kwargs={"audience": "inspectors"})
    page.request.get(f"{base}{pack}?format=pdf")  # a pack read as a PDF is named in the trail
    page.goto(f"{base}/organisation/audit/")
    page.get_by_text("Filter by person, user or dates").click()
    page.get_by_label("Done by").select_option(label="Ruth Parent (Family member)")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(lambda url: "user=" in url)
    table = page.locator("table.data")
    assert "looked at: family page" in table.inner_text()
    assert "Family member" in table.inner_text()

    with page.expect_download() as got:
        page.get_by_role("link", name="Download these entries (CSV)").click()
    data = open(got.value.path(), "rb").read()
    assert data.startswith(codecs.BOM_UTF8)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows and {r["Who"] for r in rows} == {"Ruth Parent"}
    assert {r["Their role"] for r in rows} == {"Family member"}
    assert got.value.suggested_filename.endswith(".csv")

    with page.expect_download() as got:
        page.get_by_role("link", name="Download these entries (Excel)").click()
    sheet = openpyxl.load_workbook(io.BytesIO(open(got.value.path(), "rb").read())).active
    assert sheet.max_row == len(rows) + 1

    page.goto(f"{base}/organisation/audit/")
    assert "“Evidence for inspectors” as a PDF" in page.locator("table.data").inner_text()

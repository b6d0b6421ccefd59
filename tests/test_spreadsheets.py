"""Spreadsheets open right: every CSV starts with a UTF-8 byte-order mark (so Excel on Windows shows "Siân"),
leaders can have XLSX too, and no text cell runs as a formula in either. The files are read back with the csv
module and openpyxl, not with our own code."""

import codecs
import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from attunement.coding.model import DEFAULT_ETHOGRAM, Coding, Event
from attunement.codings.models import CodingPass
from attunement.codings.services import coding_pass_save
from attunement.organisations.models import Role
from attunement.organisations.spreadsheets import csv_text, xlsx_bytes
from attunement.practice.services import session_record

from .conftest import details, login

FORMULA = ("=", "+", "-", "@", "\t", "\r")
SRC = Path(__file__).resolve().parents[1] / "src" / "attunement"


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(codecs.BOM_UTF8), data[:10]
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def read_xlsx(data: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["Siân", "Zoë", "=1+1", "+44 7700", "-3", "@SUM(A1)", "\tx", "'=x", "日本", "\x08=1+1"]),
    st.integers(-(10**9), 10**9),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(cells, min_size=2, max_size=2), max_size=5))
def test_csv_and_xlsx_round_trip_text_and_numbers_and_never_start_a_formula(rows):
    in_csv = read_csv(csv_text(["a", "b"], rows).encode("utf-8"))[1:]
    in_xlsx = read_xlsx(xlsx_bytes(["a", "b"], rows))[1:]
    for back, kept in ((in_csv, lambda v: v), (in_xlsx, lambda v: re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", v))):
        assert len(back) == len(rows)
        for row, original in zip(back, rows, strict=True):
            for cell, value in zip(row, original, strict=True):
                value = value if isinstance(value, int) else kept(value)
                if isinstance(value, int):
                    assert str(cell) == str(value)  # numbers stay numbers
                    continue
                cell = "" if cell is None else cell
                assert not cell.startswith(FORMULA)

                # Only a leading quote is ever added, and only to neutralise a formula. (XML, inside XLSX, and
                # the csv reader may turn a carriage return into a line feed: the same line break.)
                def lines(text):
                    return text.replace("\r\n", "\n").replace("\r", "\n")

                assert lines(cell) in (lines(value), "'" + lines(value))


@pytest.fixture
def sian(world):
    world.mine.first_name, world.mine.last_name = "Siân", "Lloyd"
    world.mine.save()
    session_record(actor=world.practitioner, learner=world.mine, details=details(place='=HYPERLINK("http://x")'))
    return world.mine


@pytest.mark.django_db
class TestSessionsExport:
    def test_the_csv_starts_with_the_byte_order_mark_and_names_sian_right(self, world, client, sian):
        login(client, world.coordinator)
        response = client.get(reverse("outcomes:sessions_csv"))
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        header, row = read_csv(response.content)
        assert header[0] == "session"  # the mark is not part of the first column's name
        assert row[header.index("person")] == "Siân Lloyd"
        assert row[header.index("place")] == '\'=HYPERLINK("http://x")'  # shown as text, never run

    def test_leaders_can_download_xlsx_with_the_same_rows(self, world, client, sian):
        login(client, world.coordinator)
        response = client.get(reverse("outcomes:sessions_csv"), {"format": "xlsx"})
        assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
        assert re.search(r'filename="sessions-\d{8}-\d{8}\.xlsx"', response["Content-Disposition"])
        header, row = read_xlsx(response.content)
        assert header[0] == "session" and row[header.index("minutes")] == 12
        assert row[header.index("person")] == "Siân Lloyd"
        assert row[header.index("place")] == '\'=HYPERLINK("http://x")'
        csv_header, csv_row = read_csv(client.get(reverse("outcomes:sessions_csv")).content)
        assert ["" if c is None else str(c) for c in row] == csv_row and csv_header == header

    @pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.FAMILY, Role.EXTERNAL, Role.THERAPIST])
    def test_others_may_not_download_either(self, world, client, role):
        login(client, world.members[role])
        for fmt in ("csv", "xlsx"):
            assert client.get(reverse("outcomes:sessions_csv"), {"format": fmt}).status_code == 403


@pytest.mark.django_db
def test_the_coding_csv_has_the_mark_and_still_imports_in_our_own_importer(world, client):
    session = session_record(actor=world.practitioner, learner=world.mine, details=details()).session
    events = (
        Event(1.0, "L-looks", "learner", 2.5, (), "Siân smiled"),
        Event(3.0, "L-looks", "learner", None, (), "=1+1"),
    )
    original = coding_pass_save(
        actor=world.practitioner,
        session=session,
        coding=Coding(DEFAULT_ETHOGRAM, events, media_duration=10.0),
        source="entered",
        title="Viewing",
    )
    login(client, world.practitioner)
    kwargs = {"learner_id": world.mine.pk, "session_id": session.pk}
    response = client.get(reverse("reflection:export", kwargs={**kwargs, "pass_id": original.pk}), {"as": "csv"})
    header, *rows = read_csv(response.content)
    assert header[0] == "time" and rows[0][-1] == "Siân smiled" and rows[1][-1] == "'=1+1"
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.post(
        reverse("reflection:import", kwargs=kwargs),
        {"file": SimpleUploadedFile("back.csv", response.content, content_type="text/csv")},
    )
    again = CodingPass.objects.exclude(pk=original.pk).get()
    assert list(again.events.order_by("time").values_list("comment", flat=True)) == ["Siân smiled", "=1+1"]


def test_every_csv_download_goes_through_the_one_helper():
    """A new CSV export written by hand would miss the byte-order mark and the formula guard."""
    allowed = {SRC / "organisations" / "spreadsheets.py", SRC / "coding" / "csvio.py"}
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if path not in allowed and re.search(r"csv\.(writer|DictWriter)\(|text/csv", path.read_text())
    ]
    offenders = [o for o in offenders if o != "codings/services.py"]  # names the type; the BOM is added there
    assert offenders == []

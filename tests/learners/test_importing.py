"""Importing people from a spreadsheet: reading files other programs wrote, the rows' rules, and the plan saved
exactly as previewed, all or nothing."""

import csv
import io
import time
from datetime import date, datetime

import pytest
import xlsxwriter
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attunement.learners import importing
from attunement.learners.importing import CREATE, REFUSE, SAME, UPDATE, guess_columns, parse_date, plan_rows
from attunement.learners.models import Assignment, Group, Learner
from attunement.learners.selectors import import_holding
from attunement.learners.services import people_import
from attunement.learners.sheet_reading import SheetProblem, read_sheet
from attunement.organisations.models import AuditEntry

TODAY = date(2026, 12, 6)
HEADINGS = list(importing.TEMPLATE_HEADINGS)


def xlsx_from_xlsxwriter(rows, *, formula_cells=()) -> bytes:
    """An XLSX file as XlsxWriter writes it (not the library the importer reads with)."""
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = workbook.add_worksheet("Pupils")
    dates = workbook.add_format({"num_format": "dd/mm/yyyy"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if (r, c) in formula_cells:
                sheet.write_formula(r, c, value, None, "a cached result")
            elif isinstance(value, datetime):
                sheet.write_datetime(r, c, value, dates)
            else:
                sheet.write(r, c, value)
    workbook.close()
    return out.getvalue()


def csv_bytes(rows, encoding="utf-8") -> bytes:
    return "\r\n".join(",".join(row) for row in rows).encode(encoding)


# --- Reading files ---------------------------------------------------------------------------------------------


def test_an_xlsx_file_written_by_another_program_reads_with_real_dates_and_numbers():
    data = xlsx_from_xlsxwriter(
        [
            ["Legal Forename", "Legal Surname", "DOB", "Reg Group", "UPN", "Adno"],
            ["Siân", "Ó Briain", datetime(2015, 4, 3), "Class 3B", "A123456789012", 1042],
        ]
    )
    sheet = read_sheet(data, max_rows=10)
    assert sheet.kind == "XLSX"
    assert sheet.rows == [(2, ["Siân", "Ó Briain", "2015-04-03", "Class 3B", "A123456789012", "1042"])]
    mapping = guess_columns(sheet.headings)
    assert (mapping["first_name"], mapping["last_name"], mapping["date_of_birth"], mapping["group"]) == (0, 1, 2, 3)
    assert mapping["identifier"] == 4  # "UPN" before "Adno": a column is used once


def test_a_formula_in_an_xlsx_file_is_never_run_and_its_row_is_refused(world):
    data = xlsx_from_xlsxwriter(
        [HEADINGS, ['=HYPERLINK("http://evil.example","Ann")', "Lee", "", "", "", "", "", ""]],
        formula_cells={(1, 0)},
    )
    sheet = read_sheet(data, max_rows=10)
    assert sheet.rows[0][1][0].startswith("=HYPERLINK(")  # the formula's text, not its cached result
    plan = plan_rows(sheet.rows, guess_columns(sheet.headings), import_holding(actor=world.coordinator), today=TODAY)
    assert plan.rows[0].action == REFUSE
    assert "formula" in plan.rows[0].reasons[0] and "not run" in plan.rows[0].reasons[0]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_csv_text_in_the_encodings_excel_saves_reads_the_same_names(encoding):
    data = csv_bytes([HEADINGS, ["Zoë", "Brontë", "", "Class 1", "", "", "", ""]], encoding)
    sheet = read_sheet(data, max_rows=10)
    assert sheet.rows[0][1][:2] == ["Zoë", "Brontë"]
    assert (sheet.encoding == "Windows-1252") == (encoding == "cp1252")
    assert bool(sheet.notes) == (encoding == "cp1252")  # the preview says how a Windows file was read


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Excel format"),
        ("First name,Last name\r\nAnn,Lee".encode("utf-16-le"), "UTF-16"),
        (b"PK\x03\x04not really a zip", "could not be opened"),
        (b"%PDF-1.7 ...", "PDF"),
        (b"First name,Last name\r\nAnn,L\x81ee", "cannot be read"),
    ],
)
def test_files_that_are_not_readable_spreadsheets_are_refused_in_plain_words(data, words):
    with pytest.raises(SheetProblem, match=words):
        read_sheet(data, max_rows=10)


def test_a_csv_of_100_000_rows_is_refused_quickly_at_the_limit():
    data = csv_bytes([HEADINGS] + [[f"P{i}", "Lee", "", "", "", "", "", ""] for i in range(100_000)])
    started = time.perf_counter()
    with pytest.raises(SheetProblem, match="more than 5,000 rows"):
        read_sheet(data, max_rows=5_000)
    assert time.perf_counter() - started < 2


def test_an_xlsx_of_100_000_rows_is_refused_before_its_rows_are_read():
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True, "constant_memory": True})
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, HEADINGS[:2])
    for r in range(1, 100_001):
        sheet.write_row(r, 0, [f"P{r}", "Lee"])
    workbook.close()
    data = out.getvalue()
    started = time.perf_counter()
    with pytest.raises(SheetProblem, match="more than 5,000 rows"):
        read_sheet(data, max_rows=5_000)
    refused_in = time.perf_counter() - started
    started = time.perf_counter()
    read_sheet(data, max_rows=200_000)  # reading every row, for comparison
    assert refused_in < (time.perf_counter() - started) / 10


# --- Dates -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("03/04/2015", date(2015, 4, 3)),
        ("3.4.2015", date(2015, 4, 3)),
        ("2015-04-03", date(2015, 4, 3)),
        ("42097", date(2015, 4, 3)),  # Excel's day number for 3 April 2015
        ("", None),
    ],
)
def test_dates_in_the_three_formats(text, expected):
    assert parse_date(text) == (expected, None)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("04/23/2015", "month first"),
        ("03/04/15", "two-digit year"),
        ("2015", "could be a year or an Excel date"),
        ("31/02/2015", "not a real date"),
        ("next Tuesday", "not a date"),
    ],
)
def test_ambiguous_or_wrong_dates_are_refused_with_the_reason(text, why):
    found, problem = parse_date(text)
    assert found is None and why in problem


@given(st.dates(min_value=date(1930, 1, 1), max_value=date(2100, 1, 1)))
def test_every_date_reads_back_the_same_in_each_format(day):
    serial = (day - importing.EXCEL_EPOCH).days
    for text in (day.strftime("%d/%m/%Y"), day.isoformat(), str(serial)):
        assert parse_date(text) == (day, None)


# --- The plan, saved ---------------------------------------------------------------------------------------------


def _rows(*cells_per_row):
    return [(line, list(cells)) for line, cells in enumerate(cells_per_row, start=2)]


MAPPING = guess_columns(HEADINGS)


def _import(actor, rows, mapping=MAPPING):
    plan = plan_rows(rows, mapping, import_holding(actor=actor), today=TODAY)
    return people_import(actor=actor, rows=rows, mapping=mapping, expected=plan.digest(), today=TODAY)


def test_an_import_adds_people_with_their_class_needs_and_key_staff_and_again_changes_nothing(world):
    practitioner = world.practitioner.user.email
    rows = _rows(
        ["Ann", "Lee", "", "03/04/2015", "Class 3B", "Autism, PMLD", "A1", practitioner],
        ["Bo", "Khan", "Bobby", "2014-09-30", "class 3b", "ASD; SLCN", "", f"{practitioner}, nobody@else.example"],
    )
    plan = _import(world.coordinator, rows)
    assert [row.action for row in plan.rows] == [CREATE, CREATE]
    ann, bo = (Learner.objects.get(organisation=world.school, first_name=n) for n in ("Ann", "Bo"))
    assert ann.group == bo.group and ann.group.name == "Class 3B"  # one class, named as first written
    assert ann.needs == ["autism", "pmld"] and bo.needs == ["autism"] and bo.preferred_name == "Bobby"
    assert ann.date_of_birth == date(2015, 4, 3) and ann.identifier == "A1"
    assert set(
        Assignment.objects.filter(user=world.practitioner.user).values_list("learner__first_name", flat=True)
    ) >= {
        "Ann",
        "Bo",
    }
    assert any("not a member yet" in w for w in plan.rows[1].warnings)
    assert any("SLCN" in w for w in plan.rows[1].warnings)
    assert AuditEntry.objects.filter(action="people_import.applied", organisation=world.school).count() == 1

    again = plan_rows(rows, MAPPING, import_holding(actor=world.coordinator), today=TODAY)
    assert [row.action for row in again.rows] == [SAME, SAME]


def test_a_second_import_updates_the_person_found_by_identifier_or_by_name_and_birthday(world):
    _import(
        world.coordinator,
        _rows(["Ann", "Lee", "", "03/04/2015", "", "", "A1", ""], ["Bo", "Khan", "", "30/09/2014", "", "", "", ""]),
    )
    plan = _import(
        world.coordinator,
        _rows(
            ["Anne", "Lee", "", "03/04/2015", "Class 4", "", "a1", ""],  # found by identifier, whatever the case
            ["bo", "KHAN", "", "2014-09-30", "", "", "B2", ""],  # found by name and date of birth
        ),
    )
    assert [row.action for row in plan.rows] == [UPDATE, UPDATE]
    assert Learner.objects.filter(organisation=world.school, first_name__in=["Ann", "Anne", "Bo", "bo"]).count() == 2
    assert Learner.objects.get(identifier="A1").first_name == "Anne"
    assert Learner.objects.get(identifier="B2").first_name == "bo"  # as the file now writes it


def test_the_same_person_twice_in_a_file_refuses_both_rows_and_saves_nothing(world):
    rows = _rows(["Ann", "Lee", "", "03/04/2015", "", "", "", ""], ["ann", "lee", "", "2015-04-03", "", "", "", ""])
    plan = plan_rows(rows, MAPPING, import_holding(actor=world.coordinator), today=TODAY)
    assert [row.action for row in plan.rows] == [REFUSE, REFUSE]
    assert "also in row 3" in plan.rows[0].reasons[0]
    before = Learner.objects.count()
    with pytest.raises(ValidationError, match="refused, so nothing was saved"):
        people_import(actor=world.coordinator, rows=rows, mapping=MAPPING, expected=plan.digest(), today=TODAY)
    assert Learner.objects.count() == before


def test_a_change_made_after_the_preview_saves_nothing(world):
    rows = _rows(["Ann", "Lee", "", "03/04/2015", "", "", "", ""])
    shown = plan_rows(rows, MAPPING, import_holding(actor=world.coordinator), today=TODAY).digest()
    world.learner(world.school, "Ann").__class__.objects.filter(first_name="Ann").update(
        date_of_birth=date(2015, 4, 3), last_name="Lee"
    )
    before = Learner.objects.count()
    with pytest.raises(ValidationError, match="changed the records"):
        people_import(actor=world.coordinator, rows=rows, mapping=MAPPING, expected=shown, today=TODAY)
    assert Learner.objects.count() == before


def test_only_those_who_see_the_whole_organisation_may_import(world):
    rows = _rows(["Ann", "Lee", "", "", "", "", "", ""])
    plan = plan_rows(rows, MAPPING, import_holding(actor=world.coordinator), today=TODAY)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied, match="Only co-ordinators, managers and administrators can import people"):
        people_import(actor=world.practitioner, rows=rows, mapping=MAPPING, expected=plan.digest(), today=TODAY)


def test_a_retired_class_refuses_its_rows(world):
    Group.objects.create(
        organisation=world.school, name="Old class", retired_at=datetime(2026, 1, 1, 12, 0).astimezone()
    )
    plan = plan_rows(
        _rows(["Ann", "Lee", "", "", "old  CLASS", "", "", ""]),
        MAPPING,
        import_holding(actor=world.coordinator),
        today=TODAY,
    )
    assert plan.rows[0].action == REFUSE and "retired" in plan.rows[0].reasons[0]


# --- Property: any rows ------------------------------------------------------------------------------------------

FIRSTS = st.sampled_from(["Ann", "ann", "Bo", "Cai", "Zoë", "", "=1+1", "Dee"])
LASTS = st.sampled_from(["Lee", "LEE", "Khan", "", "O'Neil"])
BORN = st.sampled_from(["", "03/04/2015", "2015-04-03", "42097", "04/23/2015", "2099-01-01", "15/13/2015", "1/1/2016"])
CLASSES = st.sampled_from(["", "Class 1", "class 1", "Class 2", "Oak"])
NEEDS = st.sampled_from(["", "Autism", "PMLD, SLD", "unknown"])
IDS = st.sampled_from(["", "", "A1", "a1", "B2", "C3"])
STAFF = st.sampled_from(["", "practitioner", "stranger@nowhere.example", "not an email"])
ROW = st.tuples(FIRSTS, LASTS, st.just(""), BORN, CLASSES, NEEDS, IDS, STAFF)


def _cells(world, row):
    cells = list(row)
    if cells[7] == "practitioner":
        cells[7] = world.practitioner.user.email
    return cells


def _state(organisation):
    return sorted(
        Learner.objects.filter(organisation=organisation).values_list(
            "pk", "first_name", "last_name", "date_of_birth", "identifier", "group__name", "needs", "version"
        ),
        key=str,
    ), sorted(Assignment.objects.filter(learner__organisation=organisation).values_list("learner_id", "user_id"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=st.lists(ROW, max_size=8), second=st.lists(ROW, max_size=8))
def test_any_rows_save_exactly_the_preview_and_importing_again_changes_nothing(world, first, second):
    Learner.objects.filter(organisation=world.school).exclude(pk__in=[world.mine.pk, world.unassigned.pk]).delete()
    Group.objects.filter(organisation=world.school).delete()
    for batch in (first, second):
        rows = _rows(*(_cells(world, row) for row in batch))
        holding = import_holding(actor=world.coordinator)
        plan = plan_rows(rows, MAPPING, holding, today=TODAY)
        before = _state(world.school)
        people = Learner.objects.filter(organisation=world.school).count()
        if plan.refused:
            # A refused row anywhere: nothing at all changes.
            with pytest.raises(ValidationError):
                people_import(actor=world.coordinator, rows=rows, mapping=MAPPING, expected=plan.digest(), today=TODAY)
            assert _state(world.school) == before
            for row in plan.rows:
                assert row.action != REFUSE or row.reasons
            continue
        people_import(actor=world.coordinator, rows=rows, mapping=MAPPING, expected=plan.digest(), today=TODAY)
        assert Learner.objects.filter(organisation=world.school).count() == people + plan.count(CREATE)
        for row in plan.rows:
            if row.action == CREATE:
                found = Learner.objects.filter(organisation=world.school, **row.values)
                assert found.count() == 1, row
        again = plan_rows(rows, MAPPING, import_holding(actor=world.coordinator), today=TODAY)
        assert [row.action for row in again.rows] == [SAME] * len(rows)
        unchanged = _state(world.school)
        if rows:
            people_import(actor=world.coordinator, rows=rows, mapping=MAPPING, expected=again.digest(), today=TODAY)
            assert _state(world.school) == unchanged


# --- Property: the reader ----------------------------------------------------------------------------------------

CELL = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029\x85"), max_size=12
).map(str.strip)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.lists(CELL, min_size=3, max_size=3).filter(any), min_size=1, max_size=6),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
    delimiter=st.sampled_from([",", ";", "\t"]),
)
def test_any_cells_read_back_the_same_from_csv_in_any_encoding_and_from_another_program_s_xlsx(
    rows, encoding, delimiter
):
    """Whatever the cells hold (commas, quotes, accents, leading equals signs), the reader gives back exactly
    what was written, as text, formulas included, from a CSV file and from an XLSX file XlsxWriter wrote."""
    headings = ["First name", "Last name", "Class"]
    text = io.StringIO()

    csv.writer(text, lineterminator="\r\n", delimiter=delimiter).writerows([headings, *rows])
    from_csv = read_sheet(text.getvalue().encode(encoding), max_rows=10)
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False})
    sheet = book.add_worksheet()
    for r, row in enumerate([headings, *rows]):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    book.close()
    from_xlsx = read_sheet(out.getvalue(), max_rows=10)
    expected = [[cell for cell in row] for row in rows]
    for sheet_read in (from_csv, from_xlsx):
        assert sheet_read.headings == headings
        got = [cells + [""] * (3 - len(cells)) for _, cells in sheet_read.rows]
        assert got == expected

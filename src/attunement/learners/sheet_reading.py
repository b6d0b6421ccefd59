"""Reading an uploaded spreadsheet (CSV or XLSX) into headings and rows of plain text, safely.

- The kind of file is told from its first bytes, not its name: an XLSX file is a zip archive; the old Excel
  format (.xls) and anything else that is not text are refused in plain words.
- CSV text may be UTF-8 (with or without the byte-order mark Excel writes), UTF-16 with its byte-order mark
  (Excel's "Unicode text"), or Windows-1252 (Excel's "CSV" on a Windows PC in Britain). The encoding used is
  reported, so the preview can say how the file was read.
- Formulas are never run: XLSX cells are read as written (a formula comes back as its text, starting "="), and
  the importer refuses a row with a formula in a cell it uses.
- At most `max_rows` rows are read. A longer file is refused as soon as the row after the limit is reached (an
  XLSX file whose own size record says it is far longer is refused before any of it is unpacked), so a huge
  file is never held in memory whole.

Nothing here uses Django: it takes bytes and returns plain data.
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time

# The most columns read from a row: a school export has a dozen; the rest of a very wide sheet is ignored.
MAX_COLUMNS = 40
MAX_CELL = 500


class SheetProblem(Exception):
    """The file cannot be read as a spreadsheet of people. The message is for the person who uploaded it."""


@dataclass
class Sheet:
    headings: list[str]
    rows: list[tuple[int, list[str]]]  # (the row's number as a spreadsheet shows it, its cells as text)
    kind: str  # "CSV" or "XLSX"
    encoding: str = ""  # how a CSV file's text was read, in words
    notes: list[str] = field(default_factory=list)


def read_sheet(data: bytes, *, max_rows: int) -> Sheet:
    if not data.strip():
        raise SheetProblem("The file is empty.")
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, max_rows=max_rows)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise SheetProblem(
            "This is a spreadsheet in the old Excel format (.xls). Please open it and save it as an Excel "
            "workbook (.xlsx) or as CSV, then upload that."
        )
    if data.startswith(b"%PDF"):
        raise SheetProblem("This is a PDF, not a spreadsheet. Please upload a CSV or Excel (.xlsx) file.")
    text, encoding = _decode(data)
    return _read_csv(text, encoding=encoding, max_rows=max_rows)


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "UTF-8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            raise SheetProblem(
                "The file says it is UTF-16 text but some of it is not. Please save it again as “CSV UTF-8”."
            ) from None
    if b"\x00" in data[:4096]:
        raise SheetProblem(
            "This does not look like a CSV file: it has characters no spreadsheet text file has. If it is UTF-16 "
            "text without its byte-order mark, please save it again as “CSV UTF-8”."
        )
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        raise SheetProblem(
            "Some of the text in this file cannot be read: it is neither UTF-8 nor Windows text. "
            "Please save it again as “CSV UTF-8” and upload that."
        ) from None


def _too_many(max_rows: int) -> SheetProblem:
    return SheetProblem(
        f"The file has more than {max_rows:,} rows of people, the most one import takes. Please split it into "
        "smaller files (for example one per year group or site) and import them one at a time."
    )


def _tidy(cells) -> list[str]:
    """The row's cells, trimmed, without the empty ones after the last filled one."""
    tidied = [cell.strip()[:MAX_CELL] for cell in list(cells)[:MAX_COLUMNS]]
    while tidied and not tidied[-1]:
        tidied.pop()
    return tidied


def _read_csv(text: str, *, encoding: str, max_rows: int) -> Sheet:
    if "\x00" in text:
        raise SheetProblem("This does not look like a CSV file. Please upload a CSV or Excel (.xlsx) file.")
    # Excel writes commas, or semicolons where a comma is the decimal mark, or tabs ("Unicode text"). The
    # headings line tells which: guessing from the data (csv.Sniffer) misreads rows of quotes and commas.
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter)
    try:
        headings = next(reader, None)
        if headings is None:
            raise SheetProblem("The file is empty.")
        rows = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= max_rows:
                raise _too_many(max_rows)
            rows.append((reader.line_num, _tidy(cells)))
    except csv.Error as error:
        raise SheetProblem(f"The file could not be read as CSV (near row {reader.line_num}): {error}.") from None
    sheet = Sheet(headings=_tidy(headings), rows=rows, kind="CSV", encoding=encoding)
    if encoding == "Windows-1252":
        sheet.notes.append(
            "The file was read as Windows text (Windows-1252), as Excel saves CSV on many PCs. Please check that "
            "names with accents (such as Siân or Zoë) look right below."
        )
    return sheet


def _xlsx_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return value
    # An array formula or a data table: openpyxl keeps its text; it is a formula all the same.
    text = getattr(value, "text", None)
    return text if isinstance(text, str) and text.startswith("=") else "=" + str(text or "formula")


# An XLSX file is compressed; the text it unpacks to is held to this, so a small file cannot unpack to gigabytes.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"')


def _check_xlsx_size(data: bytes, *, max_rows: int) -> None:
    """Refuse a workbook that unpacks to too much, or whose first sheet says it has far more rows than the
    limit, from the archive's directory and the first bytes of the sheet: before any text of it is loaded."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        if sum(member.file_size for member in archive.infolist()) > MAX_UNPACKED_BYTES:
            raise SheetProblem("This workbook is too large to import. Please split it into smaller files.")
        names = set(archive.namelist())
        if "xl/worksheets/sheet1.xml" in names:
            with archive.open("xl/worksheets/sheet1.xml") as sheet:
                start = sheet.read(4096)
            if (match := _DIMENSION.search(start)) and int(match.group(1)) > 2 * max_rows:
                # A size record can count trailing empty rows, so only one far over the limit refuses at once.
                raise _too_many(max_rows)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, KeyError, ValueError):
        raise SheetProblem(
            "This file could not be opened as an Excel workbook. Please save it again as .xlsx or CSV."
        ) from None


def _read_xlsx(data: bytes, *, max_rows: int) -> Sheet:
    from openpyxl import load_workbook

    _check_xlsx_size(data, max_rows=max_rows)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise SheetProblem(
            "This file could not be opened as an Excel workbook. Please save it again as .xlsx or CSV."
        ) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise SheetProblem("The workbook has no sheets.")
        stated = sheet.max_row  # from the sheet's own size record, when it has one: read without any rows
        if stated is not None and stated > 2 * max_rows:
            raise _too_many(max_rows)
        iterator = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
        headings = next(iterator, None)
        if headings is None or not any(value is not None for value in headings):
            raise SheetProblem("The first sheet is empty, or its first row (the headings) is blank.")
        rows = []
        for number, values in enumerate(iterator, start=2):
            cells = [_xlsx_text(value) for value in values]
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= max_rows:
                raise _too_many(max_rows)
            rows.append((number, _tidy(cells)))
        result = Sheet(headings=_tidy(_xlsx_text(value) for value in headings), rows=rows, kind="XLSX")
        if len(workbook.worksheets) > 1:
            result.notes.append(f"Only the first sheet, “{sheet.title}”, was read.")
        return result
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise SheetProblem("Part of this workbook could not be read. Please save it again as .xlsx or CSV.") from None
    finally:
        workbook.close()

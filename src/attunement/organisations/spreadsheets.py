"""Spreadsheet downloads that open right: one place for every CSV and XLSX file the app hands out.

CSV files start with a UTF-8 byte-order mark: without it, Excel on Windows reads the file in the PC's old code
page and shows "SiÃ¢n" for "Siân". XLSX files carry their own encoding. In both, a text cell that a
spreadsheet would run as a formula (it starts with =, +, -, @, a tab or a carriage return) is written with a
single quote in front (`spreadsheet_safe`), so a name typed as "=HYPERLINK(...)" stays text.
"""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from attunement.coding.csvio import spreadsheet_safe

BOM = "\ufeff"
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")


def _cell(value):
    """A value as a spreadsheet cell: text made safe, times in local time without a zone (Excel has none)."""
    if isinstance(value, datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).replace(tzinfo=None)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return ""
    if isinstance(value, int | float | date):
        return value
    return spreadsheet_safe(str(value))


def _csv_cell(value):
    cell = _cell(value)
    if isinstance(cell, datetime):
        return cell.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(cell, date):
        return cell.isoformat()
    return cell


def csv_text(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    """The CSV file as text, starting with the byte-order mark."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return out.getvalue()


class _Echo:
    """A file-like object whose write returns what it was given: the csv writer then yields one row at a time."""

    def write(self, value):
        return value


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[bytes]:
    """The CSV file as UTF-8 bytes, row by row, starting with the byte-order mark: for a file too big to hold."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield (BOM + writer.writerow([_csv_cell(h) for h in header])).encode("utf-8")
    for row in rows:
        yield writer.writerow([_csv_cell(v) for v in row]).encode("utf-8")


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence], *, title: str = "Sheet") -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Sheet")
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    heading = []
    for h in header:
        cell = WriteOnlyCell(sheet, value=_cell(h))
        cell.font = bold
        heading.append(cell)
    sheet.append(heading)
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, str):  # control characters (a pasted backspace…) are not allowed in XLSX: drop them
                value = ILLEGAL_CHARACTERS_RE.sub("", value)  # before the formula guard looks at the first one
            value = _cell(value)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # always text: openpyxl would otherwise treat a leading "=" as a formula
            elif isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def spreadsheet_response(
    header: Sequence[str],
    rows: Iterable[Sequence],
    *,
    filename: str,
    format: str = "csv",
    title: str = "Sheet",
    stream: bool = False,
) -> HttpResponse | StreamingHttpResponse:
    """A download of `rows` under `header` as CSV (with the byte-order mark) or XLSX. `filename` has no suffix.
    With `stream`, a CSV is sent row by row as `rows` yields them, never held whole in memory."""
    if format == "xlsx":
        response = HttpResponse(xlsx_bytes(header, rows, title=title), content_type=XLSX_TYPE)
        suffix = "xlsx"
    elif stream:
        response = StreamingHttpResponse(csv_chunks(header, rows), content_type=CSV_TYPE)
        suffix = "csv"
    else:
        response = HttpResponse(csv_text(header, rows).encode("utf-8"), content_type=CSV_TYPE)
        suffix = "csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}.{suffix}"'
    return response


def format_from(request) -> str:
    """ "xlsx" when the request asks for it, else "csv"."""
    return "xlsx" if request.GET.get("format") == "xlsx" else "csv"

"""Export coded events as CSV and read them back.

Columns: ``time, subject, code, kind, end, duration, modifiers, comment``. Times are seconds written with
Python's shortest round-trip representation; ``kind`` is "point" or "state" (decided by the coding's ethogram);
``end`` and ``duration`` are empty for points (``duration`` is informative only: on reading, ``end`` is
authoritative); ``modifiers`` are joined with "|". A state started and never stopped (BORIS's "UNPAIRED") is a
"state" row with an empty ``end`` and ``duration``; reading it gives back the unpaired state, never a point.
The CSV holds events only: on reading, pass the ethogram (otherwise a minimal one is built from the events, a
code a state when a row says so), and the media duration and observer if known.

Text cells that a spreadsheet would run as a formula (beginning with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return) are written with a single quote in front (see :func:`spreadsheet_safe`); reading removes that
quote again, so every value round-trips. Number columns are written as numbers and never changed.
"""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path

from attunement.coding.model import (
    DEFAULT_LIMITS,
    POINT,
    STATE,
    Coding,
    CodingFormatError,
    Ethogram,
    Event,
    Limits,
    ethogram_from_events,
    join_modifiers,
    split_modifiers,
)

#: The longest cell read (characters): Python's csv module stops at this length, which is far more than any code,
#: modifier or comment needs.
MAX_CELL = csv.field_size_limit()

COLUMNS = ("time", "subject", "code", "kind", "end", "duration", "modifiers", "comment")

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_QUOTED_FORMULA = re.compile(r"'+[=+\-@\t\r]")


def spreadsheet_safe(value) -> str:
    """A text cell a spreadsheet shows as text instead of running it as a formula.

    A value beginning with a formula character gets a single quote in front. So does a value that already
    looks escaped (quotes then a formula character), which keeps :func:`spreadsheet_unescape` exact.
    Anything that is not text (numbers, None) is returned as it is, for the CSV writer to write.
    """
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_STARTS) or _QUOTED_FORMULA.match(value):
        return "'" + value
    return value


def spreadsheet_unescape(value: str) -> str:
    """The value :func:`spreadsheet_safe` was given."""
    return value[1:] if _QUOTED_FORMULA.match(value) else value


def dumps_csv(coding: Coding) -> str:
    """Write the coding's events as CSV text with a header row (columns in :data:`COLUMNS`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180; the writer then quotes a carriage return in a cell
    writer.writerow(COLUMNS)
    states = coding.state_codes
    for e in coding.events:
        writer.writerow(
            [
                repr(e.time),
                spreadsheet_safe(e.subject),
                spreadsheet_safe(e.code),
                STATE if e.code in states else POINT,
                "" if e.end is None else repr(e.end),
                "" if e.duration is None else repr(e.duration),
                spreadsheet_safe(join_modifiers(e.modifiers)),
                spreadsheet_safe(e.comment),
            ]
        )
    return out.getvalue()


def _seconds(text: str, row: int, column: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise CodingFormatError(f"Row {row} of the CSV file has {column} {text!r}, which is not a number.") from None
    if not math.isfinite(value) or value < 0:
        raise CodingFormatError(f"Row {row} of the CSV file has {column} {text!r}; it must be seconds, not negative.")
    return value


def loads_csv(
    text: str,
    ethogram: Ethogram | None = None,
    media_duration: float | None = None,
    observer: str = "",
    title: str = "",
    limits: Limits = DEFAULT_LIMITS,
) -> Coding:
    """Read CSV text written by :func:`dumps_csv` (or by hand with the same columns) into a :class:`Coding`.

    Reading stops as soon as the file passes ``limits.events`` rows. A cell longer than :data:`MAX_CELL`
    characters, or a quote that is never closed, is refused with the row it is on."""
    # strict: a quoted cell still open at the end of the file is an error, not the rest of the file in one cell
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), strict=True)  # the BOM our exports write
    try:
        return _read_rows(reader, ethogram, media_duration, observer, title, limits)
    except csv.Error as error:
        row = reader.line_num + 1  # the line the failing row starts on
        if "field larger than field limit" in str(error):
            raise CodingFormatError(
                f"A cell on line {row} of the CSV file is longer than {MAX_CELL // 1024} kB, far more than any code "
                "or comment. Please check the file was saved as CSV."
            ) from None
        if "end of data" in str(error):
            raise CodingFormatError(
                f'A quoted cell that starts on line {row} of the CSV file is never closed (a " is missing). '
                "Please check the file was saved as CSV."
            ) from None
        raise CodingFormatError(f"Line {row} of the CSV file cannot be read as CSV ({error}).") from None


def _read_rows(reader, ethogram, media_duration, observer, title, limits) -> Coding:
    if reader.fieldnames is None:
        raise CodingFormatError("The CSV file is empty.")
    missing = [c for c in ("time", "code") if c not in reader.fieldnames]
    if missing:
        raise CodingFormatError(f"The CSV file has no {' or '.join(missing)} column.")
    events = []
    open_states: set[str] = set()
    kinds_seen: dict[str, tuple[str, int]] = {}
    for number, row in enumerate(reader, start=2):
        limits.check_events(number - 1)
        if None in row:
            raise CodingFormatError(f"Row {number} of the CSV file has more cells than the header.")
        kind = (row.get("kind") or "").strip()
        if kind not in ("", POINT, STATE):
            raise CodingFormatError(f"Row {number} of the CSV file has the kind {kind!r}; use 'point' or 'state'.")
        end_text = (row.get("end") or "").strip()
        end = _seconds(end_text, number, "end") if end_text else None
        if kind == POINT and end is not None:
            raise CodingFormatError(f"Row {number} of the CSV file is a point but has an end.")
        code = spreadsheet_unescape(row.get("code") or "")
        if not code:
            raise CodingFormatError(f"Row {number} of the CSV file has no code.")
        if kind:
            first = kinds_seen.setdefault(code, (kind, number))
            if first[0] != kind:
                raise CodingFormatError(
                    f"Row {number} of the CSV file has {code!r} as a {kind}, but row {first[1]} has it as a "
                    f"{first[0]}: a code is either a moment (point) or lasts a while (state)."
                )
        if kind == STATE and end is None:  # started and never stopped: kept open (unpaired), never made a point
            defined = ethogram.get(code) if ethogram is not None else None
            if ethogram is not None and (defined is None or defined.kind != STATE):
                raise CodingFormatError(
                    f"Row {number} of the CSV file is a state with no end, but the ethogram does not have {code!r} "
                    "as a state."
                )
            open_states.add(code)
        time = _seconds((row.get("time") or "").strip(), number, "time")
        if end is not None and end < time:
            raise CodingFormatError(f"Row {number} of the CSV file ends before it starts.")
        events.append(
            Event(
                time,
                code,
                spreadsheet_unescape(row.get("subject") or ""),
                end,
                split_modifiers(spreadsheet_unescape(row.get("modifiers") or "")),
                spreadsheet_unescape(row.get("comment") or ""),
            )
        )
    if ethogram is None:
        limits.check_codes(len({e.code for e in events}))
    return Coding(
        ethogram=ethogram if ethogram is not None else ethogram_from_events(events, dict.fromkeys(open_states, STATE)),
        events=tuple(events),
        media_duration=media_duration,
        observer=observer,
        title=title,
    )


def load_csv(path: str | Path, ethogram: Ethogram | None = None) -> Coding:
    """Read a CSV file from disk; see :func:`loads_csv`."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise CodingFormatError("The CSV file is not UTF-8 text.") from None
    return loads_csv(text, ethogram=ethogram, title=Path(path).stem)

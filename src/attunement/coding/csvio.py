"""Export coded events as CSV and read them back.

Columns: ``time, subject, code, kind, end, duration, modifiers, comment``. Times are seconds written with
Python's shortest round-trip representation; ``kind`` is "point" or "state"; ``end`` and ``duration`` are empty
for points (``duration`` is informative only: on reading, ``end`` is authoritative); ``modifiers`` are joined
with "|". The CSV holds events only: on reading, pass the ethogram (otherwise a minimal one is built from the
events), and the media duration and observer if known.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

from attunement.coding.model import (
    POINT,
    STATE,
    Coding,
    CodingFormatError,
    Ethogram,
    Event,
    ethogram_from_events,
    join_modifiers,
    split_modifiers,
)

COLUMNS = ("time", "subject", "code", "kind", "end", "duration", "modifiers", "comment")


def dumps_csv(coding: Coding) -> str:
    """Write the coding's events as CSV text with a header row (columns in :data:`COLUMNS`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for e in coding.events:
        writer.writerow(
            [
                repr(e.time),
                e.subject,
                e.code,
                e.kind,
                "" if e.end is None else repr(e.end),
                "" if e.duration is None else repr(e.duration),
                join_modifiers(e.modifiers),
                e.comment,
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
) -> Coding:
    """Read CSV text written by :func:`dumps_csv` (or by hand with the same columns) into a :class:`Coding`."""
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None:
        raise CodingFormatError("The CSV file is empty.")
    missing = [c for c in ("time", "code") if c not in reader.fieldnames]
    if missing:
        raise CodingFormatError(f"The CSV file has no {' or '.join(missing)} column.")
    events = []
    for number, row in enumerate(reader, start=2):
        if None in row:
            raise CodingFormatError(f"Row {number} of the CSV file has more cells than the header.")
        kind = (row.get("kind") or "").strip()
        if kind not in ("", POINT, STATE):
            raise CodingFormatError(f"Row {number} of the CSV file has the kind {kind!r}; use 'point' or 'state'.")
        end_text = (row.get("end") or "").strip()
        end = _seconds(end_text, number, "end") if end_text else None
        if kind == STATE and end is None:
            raise CodingFormatError(f"Row {number} of the CSV file is a state without an end.")
        if kind == POINT and end is not None:
            raise CodingFormatError(f"Row {number} of the CSV file is a point but has an end.")
        code = row.get("code") or ""
        if not code:
            raise CodingFormatError(f"Row {number} of the CSV file has no code.")
        time = _seconds((row.get("time") or "").strip(), number, "time")
        if end is not None and end < time:
            raise CodingFormatError(f"Row {number} of the CSV file ends before it starts.")
        events.append(
            Event(
                time,
                code,
                row.get("subject") or "",
                end,
                split_modifiers(row.get("modifiers") or ""),
                row.get("comment") or "",
            )
        )
    return Coding(
        ethogram=ethogram if ethogram is not None else ethogram_from_events(events),
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

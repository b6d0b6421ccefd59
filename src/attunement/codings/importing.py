"""Recognise a coding file by its content, not its name, and read it with the pure coding engine.

JSON is taken for a BORIS project, XML for an ELAN EAF file, anything else for CSV. Every problem is a
:class:`CodingFormatError` with a plain-words message, including a file nested too deeply to read and
one larger than the limits in settings (CODING_IMPORT_MAX_EVENTS, CODING_IMPORT_MAX_CODES,
CODING_IMPORT_MAX_OBSERVATIONS), which are checked while the file is read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.conf import settings

from attunement.coding.boris import parse_json, read_boris_ethogram, read_boris_project
from attunement.coding.csvio import loads_csv
from attunement.coding.elan import loads_eaf
from attunement.coding.model import Coding, CodingFormatError, Ethogram, Limits

BORIS, ELAN, CSV = "boris", "elan", "csv"


@dataclass(frozen=True)
class ReadFile:
    """What a file held: its format and its codings in file order (BORIS may hold several observations)."""

    format: str
    codings: dict[str, Coding]


def import_limits() -> Limits:
    return Limits(
        events=settings.CODING_IMPORT_MAX_EVENTS,
        codes=settings.CODING_IMPORT_MAX_CODES,
        observations=settings.CODING_IMPORT_MAX_OBSERVATIONS,
    )


def _utf16_xml(data: bytes) -> bool:
    """XML saved as UTF-16, with or without a byte-order mark (so that its entities are checked like any other
    ELAN file, never read as CSV)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data[:400].decode("utf-16", errors="replace").lstrip("\ufeff \t\r\n").startswith("<")
    head = data[:400]
    for codec in ("utf-16-le", "utf-16-be"):
        text = head[: len(head) // 2 * 2].decode(codec, errors="replace").lstrip(" \t\r\n")
        if text.startswith("<?xml") or text.startswith("<ANNOTATION_DOCUMENT"):
            return True
    return False


def read_coding_file(data: bytes) -> ReadFile:
    """Read the bytes of a BORIS, ELAN or CSV file; see the module docstring for how the format is chosen."""
    limits = import_limits()
    if not data.strip():
        raise CodingFormatError("The file is empty.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        try:
            project = parse_json(text)
        except json.JSONDecodeError:
            project = None
        else:
            return ReadFile(BORIS, read_boris_project(project, limits))
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") or _utf16_xml(data):
        return ReadFile(ELAN, {"": loads_eaf(data, limits)})
    if text is None:
        raise CodingFormatError(
            "This does not look like a BORIS, ELAN or CSV file: it is not text (CSV files must be saved as UTF-8)."
        )
    return ReadFile(CSV, {"": loads_csv(text, limits=limits)})


def read_ethogram_file(data: bytes) -> Ethogram:
    """The ethogram of a BORIS project file, with or without observations."""
    limits = import_limits()
    try:
        project = parse_json(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise CodingFormatError(
            "This is not a BORIS project file. In BORIS, use File › Export project, or Ethogram › Export ethogram "
            "as a BORIS project, and upload the .boris file it makes."
        ) from None
    return read_boris_ethogram(project, limits)

"""Read and write ELAN annotation files (``.eaf``, EAF 2.7 and 3.0).

Reading rules:

* Documents with a DOCTYPE, an ENTITY declaration or an external reference are refused whatever their encoding
  (the XML is read with defusedxml, which stops at the declaration, before anything is expanded).
  Files with more annotations or tiers than the limits allow are refused while they are read.
  Only ``TIME_UNITS="milliseconds"`` (ELAN's only unit) is accepted; times become seconds (ms / 1000).
* Every TIER becomes a state code whose key is the TIER_ID and whose subject is the tier's PARTICIPANT (or ""),
  except tiers our export made for one code and subject (the ``attunement:tiers`` property names them). Each
  annotation becomes a state event from its start to its end; its value becomes the event's modifiers,
  split on "|" (an empty value gives no modifiers).
* ALIGNABLE_ANNOTATIONs take the times of their TIME_SLOT_REF1/REF2. A REF_ANNOTATION takes the times of the
  annotation it refers to (following chains of references).
* Unaligned time slots (no TIME_VALUE) are placed along the chain of annotations that uses them on their tier,
  as ELAN does for time subdivisions: following annotations from slot REF1 to REF2, a run of k unaligned
  slots between aligned slots at t0 and t1 gets t0 + (t1 - t0) * i / (k + 1), rounded to whole milliseconds.
  (ELAN does not write unaligned slots in time order in TIME_ORDER, so their position there is not used for
  this.) Unaligned slots on no such chain fall back to the same interpolation by TIME_ORDER position between
  the nearest aligned slots; slots before the first or after the last aligned slot take that slot's time.
  A document with annotations but no aligned slot at all is refused, and so is a run of more than
  :data:`MAX_UNALIGNED_RUN` unaligned slots. Each tier's chains are walked once (time grows with the slots).
* What the document holds besides annotations (license, header with media and linked files, format version,
  tier attributes, everything after the tiers, and which parent each referring annotation has) is kept in
  ``Coding.details["elan"]`` as plain JSON data; media URLs are kept in ``Coding.media``.

Writing (:func:`dumps_eaf`) makes one tier per code and subject and writes what ELAN writes; a coding read from
an ELAN file gets back what the file held. It puts extra information in HEADER properties ELAN keeps but ignores
(``attunement:ethogram``, ``attunement:tiers`` (tier -> code and subject), ``attunement:media_duration``,
``attunement:title``, ``attunement:comments`` (event comments by annotation id, since ELAN annotations have no
comment)) and the observer in the document's AUTHOR, so that reading the written file gives back the same coding.
Point events are written as zero-length annotations and read back as points thanks to the stored ethogram. ELAN
stores whole milliseconds: round-trips are exact for times in whole milliseconds.

An ELAN annotation needs an end, so a state started and never stopped (BORIS's "UNPAIRED") cannot be an
annotation: :func:`dumps_eaf` refuses a coding with one (:class:`UnpairedStates`, naming them) unless asked to
leave them out, and then writes no annotation for them but lists them (time, code, subject, modifiers, comment) in
the ``attunement:unpaired`` HEADER property, which ELAN ignores and reading the file here gives back as unpaired
states. No end is ever invented for them.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, unquote

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from attunement.coding.exchange import ethogram_from_json, ethogram_to_json
from attunement.coding.model import (
    DEFAULT_LIMITS,
    POINT,
    STATE,
    Code,
    Coding,
    CodingFormatError,
    Ethogram,
    Event,
    Limits,
    UnpairedStates,
    event_sort_key,
    join_modifiers,
    split_modifiers,
    unpaired_words,
)

_PROPERTY_ETHOGRAM = "attunement:ethogram"
_PROPERTY_DURATION = "attunement:media_duration"
_PROPERTY_TITLE = "attunement:title"
_PROPERTY_COMMENTS = "attunement:comments"
_PROPERTY_TIERS = "attunement:tiers"
_PROPERTY_UNPAIRED = "attunement:unpaired"


_ANNOTATIONS = ("ALIGNABLE_ANNOTATION", "REF_ANNOTATION")

#: The longest run of unaligned time slots between two aligned ones on a tier (ELAN's time subdivisions hold a
#: handful; tens of thousands only come from a damaged or hostile file).
MAX_UNALIGNED_RUN = 1_000


def parse_eaf_root(data: bytes | str, limits: Limits = DEFAULT_LIMITS) -> ET.Element:
    """Parse EAF XML safely and return the ANNOTATION_DOCUMENT element.

    DOCTYPE, entity declarations and external references are refused in any encoding; reading stops as soon as
    the file has more annotations or tiers than ``limits`` allow."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    annotations = tiers = 0
    root = None
    try:
        for event, element in iterparse(
            io.BytesIO(raw), events=("start", "end"), forbid_dtd=True, forbid_entities=True, forbid_external=True
        ):
            if event == "start":
                root = element if root is None else root
                continue
            if element.tag in _ANNOTATIONS:
                annotations += 1
                limits.check_events(annotations)
            elif element.tag == "TIER":
                tiers += 1
                limits.check_codes(tiers)
    except DefusedXmlException:
        raise CodingFormatError(
            "The ELAN file declares a DOCTYPE, entities or outside references, which are not accepted. "
            "Please save it again from ELAN."
        ) from None
    except ET.ParseError as error:
        raise CodingFormatError(f"The ELAN file is not well-formed XML ({error}).") from None
    if root is None:
        raise CodingFormatError("The ELAN file is empty.")
    if root.tag != "ANNOTATION_DOCUMENT":
        raise CodingFormatError(f"The ELAN file's root element is {root.tag!r}, not ANNOTATION_DOCUMENT.")
    return root


def slot_times(root: ET.Element) -> dict[str, int]:
    """Resolve every TIME_SLOT to milliseconds, placing unaligned slots as described in the module doc.

    Each tier's chains are walked once, so the time taken grows with the number of slots, not its square."""
    raw, fallback = _slot_values(root)
    resolved = dict(fallback)
    for tier in root.iterfind("TIER"):
        following: dict[str, str] = {}
        for ann in tier.iter("ALIGNABLE_ANNOTATION"):
            first, second = ann.get("TIME_SLOT_REF1"), ann.get("TIME_SLOT_REF2")
            if first in raw and second in raw and first != second:
                following[first] = second
        walked: set[str] = set()
        for start, nxt in following.items():
            start_value = raw[start]
            if start_value is None or raw[nxt] is not None or nxt in walked:
                continue
            path = [start]
            on_path = {start}
            while True:
                nxt = following.get(path[-1])
                if nxt is None or nxt in on_path or nxt in walked:
                    break
                path.append(nxt)
                on_path.add(nxt)
                if raw[nxt] is not None:
                    break
            walked.update(path[1:-1] if raw[path[-1]] is not None else path[1:])
            end_value = raw[path[-1]]
            if end_value is None:
                continue  # the chain never reaches an aligned slot: keep the fallback
            steps = len(path) - 1
            if steps - 1 > MAX_UNALIGNED_RUN:
                raise CodingFormatError(
                    f"Tier {tier.get('TIER_ID')!r} of the ELAN file has {steps - 1:,} annotations in a row without "
                    f"times of their own; at most {MAX_UNALIGNED_RUN:,} are accepted. Please give them times in "
                    "ELAN and save the file again."
                )
            for i, slot in enumerate(path[1:-1], start=1):
                resolved[slot] = round(start_value + (end_value - start_value) * i / steps)
    return resolved


def _slot_values(root: ET.Element) -> tuple[dict[str, int | None], dict[str, int]]:
    """The TIME_VALUEs as written (None when unaligned) and the fallback interpolation by TIME_ORDER position."""
    order = root.find("TIME_ORDER")
    if order is None:
        raise CodingFormatError("The ELAN file has no TIME_ORDER.")
    ids: list[str] = []
    values: list[int | None] = []
    for slot in order.findall("TIME_SLOT"):
        slot_id = slot.get("TIME_SLOT_ID")
        if not slot_id:
            raise CodingFormatError("A TIME_SLOT in the ELAN file has no TIME_SLOT_ID.")
        text = slot.get("TIME_VALUE")
        value = None
        if text is not None:
            try:
                value = int(text.strip())
            except ValueError:
                raise CodingFormatError(
                    f"Time slot {slot_id!r} in the ELAN file has the time {text!r}, which is not whole milliseconds."
                ) from None
            if value < 0:
                raise CodingFormatError(f"Time slot {slot_id!r} in the ELAN file has a negative time ({value}).")
        ids.append(slot_id)
        values.append(value)
    raw = dict(zip(ids, values, strict=True))
    aligned = [i for i, v in enumerate(values) if v is not None]
    if not aligned:
        return raw, {}
    resolved: list[int] = [0] * len(values)
    for i in range(0, aligned[0] + 1):
        resolved[i] = values[aligned[0]]  # type: ignore[assignment]
    for i in range(aligned[-1], len(values)):
        resolved[i] = values[aligned[-1]]  # type: ignore[assignment]
    for left, right in zip(aligned, aligned[1:], strict=False):
        t0, t1 = values[left], values[right]
        gap = right - left
        for i in range(left, right + 1):
            resolved[i] = round(t0 + (t1 - t0) * (i - left) / gap)  # type: ignore[operator]
    return raw, dict(zip(ids, resolved, strict=True))


def _properties(root: ET.Element) -> dict[str, str]:
    header = root.find("HEADER")
    if header is None:
        return {}
    if header.get("TIME_UNITS", "milliseconds") != "milliseconds":
        raise CodingFormatError(f"The ELAN file uses the time unit {header.get('TIME_UNITS')!r}; only milliseconds.")
    return {p.get("NAME", ""): (p.text or "") for p in header.findall("PROPERTY")}


def _stored_codes(properties: dict[str, str]) -> dict[str, Code]:
    text = properties.get(_PROPERTY_ETHOGRAM)
    if not text:
        return {}
    try:
        return {code.key: code for code in ethogram_from_json(json.loads(text)).codes}
    except (ValueError, CodingFormatError):
        raise CodingFormatError("The ELAN file's attunement:ethogram property is malformed.") from None


def _stored_tiers(properties: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Tier id -> (code key, subject) for tiers our export split by subject."""
    text = properties.get(_PROPERTY_TIERS)
    if not text:
        return {}
    try:
        items = json.loads(text)
        return {str(tier): (str(code), str(subject)) for tier, (code, subject) in items.items()}
    except (ValueError, TypeError, AttributeError):
        raise CodingFormatError("The ELAN file's attunement:tiers property is malformed.") from None


def _to_json(element: ET.Element) -> list:
    """An element as [tag, attributes, text, children] (plain JSON data), to be written back as it was."""
    return [element.tag, dict(element.attrib), element.text or "", [_to_json(child) for child in element]]


def _from_json(item, parent: ET.Element | None = None) -> ET.Element:
    tag, attrs, text, children = item
    element = ET.Element(tag, attrs) if parent is None else ET.SubElement(parent, tag, attrs)
    if text and text.strip():
        element.text = text
    for child in children:
        _from_json(child, element)
    return element


def _document_details(root: ET.Element) -> dict:
    """What an ELAN document holds besides annotations, kept for writing it back (see :func:`dumps_eaf`)."""
    head, tail = [], []
    seen_tier = False
    for element in root:
        if element.tag in ("TIME_ORDER",):
            continue
        if element.tag == "TIER":
            seen_tier = True
            continue
        if element.tag == "HEADER":
            header = _to_json(element)
            header[3] = [
                c for c in header[3] if not (c[0] == "PROPERTY" and c[1].get("NAME", "").startswith("attunement:"))
            ]
            header[3] = [
                c for c in header[3] if not (c[0] == "PROPERTY" and c[1].get("NAME") == "lastUsedAnnotationId")
            ]
            head.append(header)
        elif seen_tier or element.tag not in ("LICENSE",):
            tail.append(_to_json(element))
        else:
            head.append(_to_json(element))
    return {
        "format": root.get("FORMAT") or root.get("VERSION") or "3.0",
        "head": head,
        "tail": tail,
        "tiers": {tier.get("TIER_ID"): dict(tier.attrib) for tier in root.iterfind("TIER")},
    }


def _media_of(root: ET.Element) -> tuple[str, ...]:
    header = root.find("HEADER")
    if header is None:
        return ()
    urls = [d.get("MEDIA_URL", "") for d in header.iterfind("MEDIA_DESCRIPTOR")]
    # a local file's URL becomes its path again (as BORIS names media)
    return tuple(unquote(url.removeprefix("file://")) if url.startswith("file:///") else url for url in urls if url)


def read_eaf_root(root: ET.Element) -> Coding:
    """Turn a parsed ANNOTATION_DOCUMENT into a :class:`Coding` (rules in the module docstring)."""
    properties = _properties(root)
    stored = _stored_codes(properties)
    split = _stored_tiers(properties)
    slots = slot_times(root)
    spans: dict[str, tuple[int, int]] = {}
    pending_refs: dict[str, str] = {}
    tiers = root.findall("TIER")
    raw_annotations: list[tuple[str, str, str, str]] = []  # (tier, participant, annotation id, value)
    codes: list[Code] = []
    seen: set[str] = set()
    seen_codes: set[str] = set()
    tier_code: dict[str, str] = {}
    for tier in tiers:
        tier_id = tier.get("TIER_ID")
        if not tier_id:
            raise CodingFormatError("A TIER in the ELAN file has no TIER_ID.")
        if tier_id in seen:
            raise CodingFormatError(f"The ELAN file has two tiers called {tier_id!r}.")
        seen.add(tier_id)
        participant = tier.get("PARTICIPANT", "") or ""
        if tier_id in split:  # one tier of a code written for several subjects
            code_key, participant = split[tier_id]
            if code_key not in seen_codes:
                seen_codes.add(code_key)
                codes.append(stored.get(code_key) or Code(key=code_key, name=code_key, kind=STATE))
        else:
            seen_codes.add(tier_id)
            codes.append(stored.get(tier_id) or Code(key=tier_id, name=tier_id, subject=participant, kind=STATE))
        tier_code[tier_id] = split.get(tier_id, (tier_id, participant))[0]
        for annotation in tier.findall("ANNOTATION"):
            for child in annotation:
                ann_id = child.get("ANNOTATION_ID")
                if not ann_id:
                    raise CodingFormatError(f"An annotation on tier {tier_id!r} has no ANNOTATION_ID.")
                value = child.findtext("ANNOTATION_VALUE", default="") or ""
                if child.tag == "ALIGNABLE_ANNOTATION":
                    refs = child.get("TIME_SLOT_REF1"), child.get("TIME_SLOT_REF2")
                    if refs[0] not in slots or refs[1] not in slots:
                        raise CodingFormatError(
                            f"Annotation {ann_id!r} on tier {tier_id!r} refers to a time slot the file does not have."
                        )
                    spans[ann_id] = (slots[refs[0]], slots[refs[1]])
                elif child.tag == "REF_ANNOTATION":
                    parent = child.get("ANNOTATION_REF")
                    if not parent:
                        raise CodingFormatError(f"Referring annotation {ann_id!r} names no parent annotation.")
                    pending_refs[ann_id] = parent
                else:
                    raise CodingFormatError(f"Tier {tier_id!r} holds an unsupported annotation {child.tag!r}.")
                raw_annotations.append((tier_id, participant, ann_id, value))

    def resolve(ann_id: str) -> tuple[int, int]:
        """The (start, stop) in ms of an annotation, following referring annotations to their aligned parent."""
        chain: list[str] = []
        on_chain: set[str] = set()
        current = ann_id
        while current not in spans:
            if current not in pending_refs or current in on_chain:
                raise CodingFormatError(f"Annotation {ann_id!r} refers to an annotation that is missing or circular.")
            chain.append(current)
            on_chain.add(current)
            current = pending_refs[current]
        for item in chain:
            spans[item] = spans[current]
        return spans[current]

    by_key = {code.key: code for code in codes}
    try:
        comments = json.loads(properties.get(_PROPERTY_COMMENTS) or "{}")
        if not isinstance(comments, dict) or not all(isinstance(v, str) for v in comments.values()):
            raise ValueError
    except ValueError:
        raise CodingFormatError("The ELAN file's attunement:comments property is malformed.") from None
    events = []
    by_annotation: dict[str, Event] = {}
    for tier_id, participant, ann_id, value in raw_annotations:
        start, stop = resolve(ann_id)
        start, stop = min(start, stop), max(start, stop)
        code_key = tier_code[tier_id]
        is_point = by_key[code_key].kind == POINT
        event = Event(
            start / 1000,
            code_key,
            participant,
            None if is_point else stop / 1000,
            split_modifiers(value),
            comments.get(ann_id, ""),
        )
        events.append(event)
        by_annotation[ann_id] = event
    events.extend(_unpaired_of(properties, by_key))
    details = _document_details(root)
    details["links"] = _links(raw_annotations, pending_refs, by_annotation)
    duration = properties.get(_PROPERTY_DURATION)
    try:
        media_duration = float(duration) if duration else None
    except ValueError:
        raise CodingFormatError(f"The ELAN file's media duration {duration!r} is not a number.") from None
    return Coding(
        ethogram=Ethogram(tuple(codes)),
        events=tuple(events),
        media_duration=media_duration,
        observer=root.get("AUTHOR", "") or "",
        title=properties.get(_PROPERTY_TITLE, ""),
        media=_media_of(root),
        details={"elan": details},
    )


def _unpaired_of(properties: dict[str, str], codes: dict[str, Code]) -> list[Event]:
    """The unpaired states our export left out of the tiers (see the module docstring)."""
    text = properties.get(_PROPERTY_UNPAIRED)
    if not text:
        return []
    try:
        rows = json.loads(text)
        events = [
            Event(float(time), str(code), str(subject), None, tuple(str(m) for m in mods), str(comment))
            for time, code, subject, mods, comment in rows
        ]
    except (ValueError, TypeError):
        raise CodingFormatError("The ELAN file's attunement:unpaired property is malformed.") from None
    if any(codes.get(e.code) is None or codes[e.code].kind != STATE for e in events):
        raise CodingFormatError("The ELAN file's attunement:unpaired property names a code that is not a state.")
    return events


def _links(raw_annotations, pending_refs: dict[str, str], by_annotation: dict[str, Event]) -> dict:
    """For each tier of referring annotations: the parent of each annotation and their document order, by
    position in the canonical event order of the tiers (which storing and reading back the events keeps).

    ``{tier: {"parents": [parent position for each event in canonical order], "order": [canonical positions in
    document order]}}``"""
    by_tier: dict[str, list[str]] = {}
    for tier_id, _participant, ann_id, _value in raw_annotations:
        by_tier.setdefault(tier_id, []).append(ann_id)
    position: dict[str, int] = {}
    canonical: dict[str, list[str]] = {}
    for tier_id, ids in by_tier.items():
        ordered = sorted(ids, key=lambda a: event_sort_key(by_annotation[a]))
        canonical[tier_id] = ordered
        for index, ann_id in enumerate(ordered):
            position[ann_id] = index
    links = {}
    for tier_id, ids in by_tier.items():
        if not all(a in pending_refs for a in ids):
            continue
        links[tier_id] = {
            "parents": [position.get(pending_refs[a], -1) for a in canonical[tier_id]],
            "order": [position[a] for a in ids],
        }
    return links


def loads_eaf(data: bytes | str, limits: Limits = DEFAULT_LIMITS) -> Coding:
    """Parse the text of an ``.eaf`` file into a :class:`Coding`."""
    return read_eaf_root(parse_eaf_root(data, limits))


def load_eaf(path: str | Path) -> Coding:
    """Read an ``.eaf`` file from disk into a :class:`Coding`."""
    return loads_eaf(Path(path).read_bytes())


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_SCHEMA = "http://www.mpi.nl/tools/elan/EAFv{version}.xsd"
DEFAULT_TYPE = "default-lt"
# The order EAF's schema puts the elements after the tiers in.
_TAIL_ORDER = (
    "LINGUISTIC_TYPE",
    "LOCALE",
    "LANGUAGE",
    "CONSTRAINT",
    "CONTROLLED_VOCABULARY",
    "LEXICON_REF",
    "REF_LINK_SET",
    "EXTERNAL_REF",
)
# ELAN writes these four constraint descriptions into every document.
_CONSTRAINTS = (
    (
        "Time_Subdivision",
        "Time subdivision of parent annotation's time interval, no time gaps allowed within this interval",
    ),
    (
        "Symbolic_Subdivision",
        "Symbolic subdivision of a parent annotation. Annotations refering to the same parent are ordered",
    ),
    ("Symbolic_Association", "1-1 association with a parent annotation"),
    ("Included_In", "Time alignable annotations within the parent annotation's time interval, gaps are allowed"),
)
_MIME = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
    ".webm": "video/webm",
    ".mpg": "video/mpeg",
    ".mpeg": "video/mpeg",
    ".wav": "audio/x-wav",
    ".mp3": "audio/mpeg",
    ".avi": "video/x-msvideo",
    ".ogg": "audio/ogg",
}


def _media_descriptor(header: ET.Element, media: str) -> None:
    name = media.replace("\\", "/").rsplit("/", 1)[-1]
    if "://" in media or media.startswith("file:"):
        url = media
    elif media.startswith("/"):
        url = "file://" + quote(media)
    else:
        url = "file:///" + quote(media.lstrip("./"))
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    attrs = {"MEDIA_URL": url, "MIME_TYPE": _MIME.get(suffix, "video/*"), "RELATIVE_MEDIA_URL": "./" + quote(name)}
    ET.SubElement(header, "MEDIA_DESCRIPTOR", attrs)


def _tier_plan(coding: Coding) -> list[tuple[str, Code, str, list[Event]]]:
    """(tier id, code, subject, events in canonical order) for every tier: one per code and subject it is
    coded for; a code nobody was coded for keeps one empty tier. A tier is named by the code's key, and by
    "key (subject)" when a code is coded for someone other than the code's own subject."""
    by_pair: dict[tuple[str, str], list[Event]] = {}
    for event in coding.events:
        by_pair.setdefault((event.code, event.subject), []).append(event)
    codes = list(coding.ethogram.codes)
    known = {code.key for code in codes}
    for key, _subject in by_pair:
        if key not in known:  # an event whose code the ethogram lacks still gets its tier
            known.add(key)
            codes.append(
                Code(
                    key=key,
                    name=key,
                    kind=STATE if any(e.end is not None for e in coding.events if e.code == key) else POINT,
                )
            )
    plan = []
    used: set[str] = set()
    for code in codes:
        subjects = sorted({s for (k, s) in by_pair if k == code.key}, key=lambda s: (s != code.subject, s))
        for subject in subjects or [code.subject]:
            tier_id = code.key if subject == code.subject else f"{code.key} ({subject or 'no subject'})"
            base, number = tier_id, 2
            while tier_id in used:
                tier_id, number = f"{base} {number}", number + 1
            used.add(tier_id)
            plan.append((tier_id, code, subject, by_pair.get((code.key, subject), [])))
    return plan


def dumps_eaf(coding: Coding, date: datetime | None = None, leave_out_unpaired: bool = False) -> str:
    """Write ``coding`` as EAF XML text, as ELAN writes it: one tier per code and subject (PARTICIPANT = the
    subject), time slots in time order, a dated document with ELAN's schema reference, linguistic types,
    constraints, a controlled vocabulary for each code with modifier values and the media files.

    A coding read from an ELAN file (``coding.details["elan"]``) is written back with that file's license,
    header (media and linked files, properties), format version, tier attributes (linguistic type, parent,
    annotator, language), referring annotations under their parents and everything after the tiers (linguistic
    types, vocabularies, languages, external references). ``date`` defaults to now.

    A coding with unpaired states (started, never stopped) raises :class:`UnpairedStates`, since an annotation
    needs an end; with ``leave_out_unpaired`` they get no annotation and are listed in the ``attunement:unpaired``
    property instead (see the module docstring)."""
    unpaired = coding.unpaired
    if unpaired and not leave_out_unpaired:
        raise UnpairedStates(
            "An ELAN annotation needs an end, and "
            + ("this state was" if len(unpaired) == 1 else f"these {len(unpaired)} states were")
            + f" started and never stopped (UNPAIRED, as BORIS says): {unpaired_words(unpaired)}. "
            "No end is made up for them: mark where they stop, or download the ELAN file without them.",
            unpaired,
        )
    if unpaired:
        left_out = set(unpaired)
        coding = replace(coding, events=tuple(e for e in coding.events if e not in left_out))
    details = coding.details.get("elan") or {}
    version = details.get("format") or "3.0"
    stamp = (date or datetime.now(UTC)).astimezone().replace(microsecond=0).isoformat()
    root = ET.Element(
        "ANNOTATION_DOCUMENT",
        {
            "AUTHOR": coding.observer,
            "DATE": stamp,
            "FORMAT": version,
            "VERSION": version,
            "xmlns:xsi": _XSI,
            "xsi:noNamespaceSchemaLocation": _SCHEMA.format(version=version),
        },
    )
    header = None
    for item in details.get("head") or []:
        element = _from_json(item, root)
        if element.tag == "HEADER":
            header = element
    if header is None:
        header = ET.SubElement(root, "HEADER", {"MEDIA_FILE": "", "TIME_UNITS": "milliseconds"})
        for media in coding.media:
            _media_descriptor(header, media)
    plan = _tier_plan(coding)
    stored_tiers = details.get("tiers") or {}
    tail = [_from_json(item) for item in details.get("tail") or []]
    types = {t.get("LINGUISTIC_TYPE_ID"): t for t in tail if t.tag == "LINGUISTIC_TYPE"}
    cvs = {c.get("CV_ID") for c in tail if c.tag == "CONTROLLED_VOCABULARY"}

    # Which tiers keep their place under a parent tier, as referring annotations.
    events_of = {tier_id: events for tier_id, _c, _s, events in plan}
    links = details.get("links") or {}
    referring: dict[str, list[int]] = {}
    for tier_id, _code, _subject, events in plan:
        attrs = stored_tiers.get(tier_id) or {}
        kind = types.get(attrs.get("LINGUISTIC_TYPE_REF"))
        if kind is None or kind.get("TIME_ALIGNABLE", "true") != "false":
            continue
        link = links.get(tier_id) or {}
        parent = events_of.get(attrs.get("PARENT_REF") or "")
        parents = link.get("parents") or []
        order = link.get("order") or []
        if (
            parent is not None
            and len(parents) == len(events)
            and sorted(order) == list(range(len(events)))
            and all(isinstance(p, int) and 0 <= p < len(parent) for p in parents)
        ):
            referring[tier_id] = parents
    # A referring tier whose parent could not be kept is written as an ordinary tier.
    changed = True
    while changed:
        changed = False
        for tier_id in list(referring):
            parent_id = stored_tiers[tier_id].get("PARENT_REF")
            parent_attrs = stored_tiers.get(parent_id) or {}
            parent_kind = types.get(parent_attrs.get("LINGUISTIC_TYPE_REF"))
            parent_refers = parent_kind is not None and parent_kind.get("TIME_ALIGNABLE", "true") == "false"
            if parent_refers and parent_id not in referring:
                del referring[tier_id]
                changed = True

    ids: dict[str, list[str]] = {}
    number = 0
    for tier_id, _code, _subject, events in plan:
        ids[tier_id] = [f"a{number + i + 1}" for i in range(len(events))]
        number += len(events)

    times: list[tuple[int, str]] = []  # (ms, slot id)
    slots: dict[tuple[str, int], tuple[str, str]] = {}
    for tier_id, _code, _subject, events in plan:
        if tier_id in referring:
            continue
        for i, event in enumerate(events):
            first, second = f"ts{len(times) + 1}", f"ts{len(times) + 2}"
            times.append((_ms(event.time), first))
            times.append((_ms(event.last_time), second))
            slots[(tier_id, i)] = (first, second)
    times.sort(key=lambda t: t[0])
    renumber = {old: f"ts{i}" for i, (_ms_value, old) in enumerate(times, start=1)}
    order_element = ET.SubElement(root, "TIME_ORDER")
    for value, old in times:
        ET.SubElement(order_element, "TIME_SLOT", {"TIME_SLOT_ID": renumber[old], "TIME_VALUE": str(value)})

    comments: dict[str, str] = {}
    split: dict[str, list[str]] = {}
    cv_codes: list[Code] = []
    needs_default = False
    for tier_id, code, subject, events in plan:
        if tier_id != code.key or subject != code.subject:
            split[tier_id] = [code.key, subject]
        attrs = dict(stored_tiers.get(tier_id) or {})
        attrs["TIER_ID"] = tier_id
        if tier_id not in referring:
            kind = types.get(attrs.get("LINGUISTIC_TYPE_REF"))
            if kind is None or kind.get("TIME_ALIGNABLE", "true") == "false":
                if code.modifiers and code.key not in cvs:
                    attrs["LINGUISTIC_TYPE_REF"] = f"{code.key}-lt"
                    if code not in cv_codes:
                        cv_codes.append(code)
                else:
                    attrs["LINGUISTIC_TYPE_REF"] = DEFAULT_TYPE
                    needs_default = True
                attrs.pop("PARENT_REF", None)
        if subject:
            attrs["PARTICIPANT"] = subject
        else:
            attrs.pop("PARTICIPANT", None)
        tier = ET.SubElement(root, "TIER", dict(sorted(attrs.items())))
        names = ids[tier_id]
        if tier_id in referring:
            parent_id = stored_tiers[tier_id]["PARENT_REF"]
            parents = referring[tier_id]
            constraint = (types.get(attrs.get("LINGUISTIC_TYPE_REF")) or {}).get("CONSTRAINTS", "")
            order = links[tier_id]["order"]
            previous_of_parent: dict[int, str] = {}
            for i in order:
                event = events[i]
                if event.comment:
                    comments[names[i]] = event.comment
                ref = {"ANNOTATION_ID": names[i], "ANNOTATION_REF": ids[parent_id][parents[i]]}
                if constraint == "Symbolic_Subdivision" and parents[i] in previous_of_parent:
                    ref["PREVIOUS_ANNOTATION"] = previous_of_parent[parents[i]]
                previous_of_parent[parents[i]] = names[i]
                annotation = ET.SubElement(ET.SubElement(tier, "ANNOTATION"), "REF_ANNOTATION", ref)
                ET.SubElement(annotation, "ANNOTATION_VALUE").text = join_modifiers(event.modifiers)
            continue
        for i, event in enumerate(events):
            if event.comment:
                comments[names[i]] = event.comment
            first, second = slots[(tier_id, i)]
            annotation = ET.SubElement(
                ET.SubElement(tier, "ANNOTATION"),
                "ALIGNABLE_ANNOTATION",
                {"ANNOTATION_ID": names[i], "TIME_SLOT_REF1": renumber[first], "TIME_SLOT_REF2": renumber[second]},
            )
            ET.SubElement(annotation, "ANNOTATION_VALUE").text = join_modifiers(event.modifiers)

    # Properties ELAN keeps and ignores, so that reading the file back gives the same coding.
    properties = {
        "lastUsedAnnotationId": str(number),
        _PROPERTY_ETHOGRAM: json.dumps(ethogram_to_json(coding.ethogram)),
    }
    if split:
        properties[_PROPERTY_TIERS] = json.dumps(split)
    if coding.media_duration is not None:
        properties[_PROPERTY_DURATION] = repr(coding.media_duration)
    if coding.title:
        properties[_PROPERTY_TITLE] = coding.title
    if comments:
        properties[_PROPERTY_COMMENTS] = json.dumps(comments)
    if unpaired:
        properties[_PROPERTY_UNPAIRED] = json.dumps(
            [[e.time, e.code, e.subject, list(e.modifiers), e.comment] for e in unpaired]
        )
    for name, text in properties.items():
        ET.SubElement(header, "PROPERTY", {"NAME": name}).text = text

    if not tail:  # a document of our own: what ELAN puts after the tiers
        for stereotype, description in _CONSTRAINTS:
            tail.append(ET.Element("CONSTRAINT", {"DESCRIPTION": description, "STEREOTYPE": stereotype}))
        if version.startswith("3") and cv_codes:
            tail.append(
                ET.Element(
                    "LANGUAGE",
                    {
                        "LANG_DEF": "http://cdb.iso.org/lg/CDB-00130975-001",
                        "LANG_ID": "und",
                        "LANG_LABEL": "undetermined (und)",
                    },
                )
            )
    if needs_default and DEFAULT_TYPE not in types:
        tail.append(
            ET.Element(
                "LINGUISTIC_TYPE",
                {"GRAPHIC_REFERENCES": "false", "LINGUISTIC_TYPE_ID": DEFAULT_TYPE, "TIME_ALIGNABLE": "true"},
            )
        )
    if (
        cv_codes
        and version.startswith("3")
        and not any(t.tag == "LANGUAGE" and t.get("LANG_ID") == "und" for t in tail)
    ):
        tail.append(
            ET.Element(
                "LANGUAGE",
                {
                    "LANG_DEF": "http://cdb.iso.org/lg/CDB-00130975-001",
                    "LANG_ID": "und",
                    "LANG_LABEL": "undetermined (und)",
                },
            )
        )
    for code in cv_codes:
        tail.append(
            ET.Element(
                "LINGUISTIC_TYPE",
                {
                    "CONTROLLED_VOCABULARY_REF": code.key,
                    "GRAPHIC_REFERENCES": "false",
                    "LINGUISTIC_TYPE_ID": f"{code.key}-lt",
                    "TIME_ALIGNABLE": "true",
                },
            )
        )
        vocabulary = ET.Element("CONTROLLED_VOCABULARY", {"CV_ID": code.key})
        if version.startswith("3"):
            ET.SubElement(vocabulary, "DESCRIPTION", {"LANG_REF": "und"}).text = code.name
            for i, value in enumerate(dict.fromkeys(code.modifiers)):
                entry = ET.SubElement(vocabulary, "CV_ENTRY_ML", {"CVE_ID": f"{code.key}-{i}"})
                ET.SubElement(entry, "CVE_VALUE", {"DESCRIPTION": "", "LANG_REF": "und"}).text = value
        else:
            vocabulary.set("DESCRIPTION", code.name)
            for value in dict.fromkeys(code.modifiers):
                ET.SubElement(vocabulary, "CV_ENTRY", {"DESCRIPTION": ""}).text = value
        tail.append(vocabulary)
    tail.sort(key=lambda e: _TAIL_ORDER.index(e.tag) if e.tag in _TAIL_ORDER else len(_TAIL_ORDER))
    root.extend(tail)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

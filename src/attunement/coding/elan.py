"""Read and write ELAN annotation files (``.eaf``, EAF 2.7 and 3.0).

Reading rules:

* Documents with a DOCTYPE, an ENTITY declaration or an external reference are refused whatever their encoding
  (the XML is read with defusedxml, which stops at the declaration, before anything is expanded).
  Files with more annotations or tiers than the limits allow are refused while they are read.
  Only ``TIME_UNITS="milliseconds"`` (ELAN's only unit) is accepted; times become seconds (ms / 1000).
* Every TIER becomes a state code whose key is the TIER_ID and whose subject is the tier's PARTICIPANT (or "").
  Each annotation becomes a state event from its start to its end; its value becomes the event's modifiers,
  split on "|" (an empty value gives no modifiers).
* ALIGNABLE_ANNOTATIONs take the times of their TIME_SLOT_REF1/REF2. A REF_ANNOTATION takes the times of the
  annotation it refers to (following chains of references).
* Unaligned time slots (no TIME_VALUE) are placed along the chain of annotations that uses them on their tier,
  as ELAN does for time subdivisions: following annotations from slot REF1 to REF2, a run of k unaligned
  slots between aligned slots at t0 and t1 gets t0 + (t1 - t0) * i / (k + 1), rounded to whole milliseconds.
  (ELAN does not write unaligned slots in time order in TIME_ORDER, so their position there is not used for
  this.) Unaligned slots on no such chain fall back to the same interpolation by TIME_ORDER position between
  the nearest aligned slots; slots before the first or after the last aligned slot take that slot's time.
  A document with annotations but no aligned slot at all is refused.

Writing puts extra information in HEADER properties ELAN keeps but ignores (``attunement:ethogram``,
``attunement:media_duration``, ``attunement:title``, ``attunement:comments`` (event comments by annotation id,
since ELAN annotations have no comment)) and the observer in the document's AUTHOR, so that reading
the written file gives back the same coding. Point events are written as zero-length annotations and read back
as points thanks to the stored ethogram. ELAN stores whole milliseconds: round-trips are exact for times in
whole milliseconds.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

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
    join_modifiers,
    split_modifiers,
)

_PROPERTY_ETHOGRAM = "attunement:ethogram"
_PROPERTY_DURATION = "attunement:media_duration"
_PROPERTY_TITLE = "attunement:title"
_PROPERTY_COMMENTS = "attunement:comments"


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
        items = json.loads(text)
        return {
            item["key"]: Code(
                key=item["key"],
                name=item["name"],
                subject=item["subject"],
                kind=item["kind"],
                modifiers=tuple(item["modifiers"]),
                shortcut=item["shortcut"],
            )
            for item in items
        }
    except (ValueError, KeyError, TypeError):
        raise CodingFormatError("The ELAN file's attunement:ethogram property is malformed.") from None


def read_eaf_root(root: ET.Element) -> Coding:
    """Turn a parsed ANNOTATION_DOCUMENT into a :class:`Coding` (rules in the module docstring)."""
    properties = _properties(root)
    stored = _stored_codes(properties)
    slots = slot_times(root)
    spans: dict[str, tuple[int, int]] = {}
    pending_refs: dict[str, str] = {}
    tiers = root.findall("TIER")
    raw_annotations: list[tuple[str, str, str, str]] = []  # (tier, participant, annotation id, value)
    codes: list[Code] = []
    seen: set[str] = set()
    for tier in tiers:
        tier_id = tier.get("TIER_ID")
        if not tier_id:
            raise CodingFormatError("A TIER in the ELAN file has no TIER_ID.")
        if tier_id in seen:
            raise CodingFormatError(f"The ELAN file has two tiers called {tier_id!r}.")
        seen.add(tier_id)
        participant = tier.get("PARTICIPANT", "") or ""
        codes.append(stored.get(tier_id) or Code(key=tier_id, name=tier_id, subject=participant, kind=STATE))
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
    for tier_id, participant, ann_id, value in raw_annotations:
        start, stop = resolve(ann_id)
        start, stop = min(start, stop), max(start, stop)
        is_point = by_key[tier_id].kind == POINT
        events.append(
            Event(
                start / 1000,
                tier_id,
                participant,
                None if is_point else stop / 1000,
                split_modifiers(value),
                comments.get(ann_id, ""),
            )
        )
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
    )


def loads_eaf(data: bytes | str, limits: Limits = DEFAULT_LIMITS) -> Coding:
    """Parse the text of an ``.eaf`` file into a :class:`Coding`."""
    return read_eaf_root(parse_eaf_root(data, limits))


def load_eaf(path: str | Path) -> Coding:
    """Read an ``.eaf`` file from disk into a :class:`Coding`."""
    return loads_eaf(Path(path).read_bytes())


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def dumps_eaf(coding: Coding) -> str:
    """Write ``coding`` as EAF 3.0 XML text: one tier per code (TIER_ID = key, PARTICIPANT = subject).

    Raises :class:`CodingFormatError` if an event uses a code missing from the ethogram or a subject other than
    its code's subject, since an ELAN tier has one participant.
    """
    root = ET.Element(
        "ANNOTATION_DOCUMENT",
        {"AUTHOR": coding.observer, "DATE": "1970-01-01T00:00:00+00:00", "FORMAT": "3.0", "VERSION": "3.0"},
    )
    header = ET.SubElement(root, "HEADER", {"MEDIA_FILE": "", "TIME_UNITS": "milliseconds"})
    ethogram = [
        {
            "key": c.key,
            "name": c.name,
            "subject": c.subject,
            "kind": c.kind,
            "modifiers": list(c.modifiers),
            "shortcut": c.shortcut,
        }
        for c in coding.ethogram.codes
    ]
    ET.SubElement(header, "PROPERTY", {"NAME": _PROPERTY_ETHOGRAM}).text = json.dumps(ethogram)
    if coding.media_duration is not None:
        ET.SubElement(header, "PROPERTY", {"NAME": _PROPERTY_DURATION}).text = repr(coding.media_duration)
    if coding.title:
        ET.SubElement(header, "PROPERTY", {"NAME": _PROPERTY_TITLE}).text = coding.title
    for event in coding.events:
        code = coding.ethogram.get(event.code)
        if code is None:
            raise CodingFormatError(f"The event code {event.code!r} is not in the ethogram; ELAN needs a tier for it.")
        if event.subject != code.subject:
            raise CodingFormatError(
                f"An ELAN tier has one participant: code {event.code!r} belongs to {code.subject!r} "
                f"but has an event by {event.subject!r}."
            )
    times = sorted({_ms(t) for e in coding.events for t in (e.time, e.last_time)})
    slot_ids = {t: f"ts{i}" for i, t in enumerate(times, start=1)}
    order = ET.SubElement(root, "TIME_ORDER")
    for t in times:
        ET.SubElement(order, "TIME_SLOT", {"TIME_SLOT_ID": slot_ids[t], "TIME_VALUE": str(t)})
    number = 0
    comments: dict[str, str] = {}
    for code in coding.ethogram.codes:
        attrs = {"LINGUISTIC_TYPE_REF": "default-lt", "TIER_ID": code.key}
        if code.subject:
            attrs["PARTICIPANT"] = code.subject
        tier = ET.SubElement(root, "TIER", attrs)
        for event in coding.events:
            if event.code != code.key:
                continue
            number += 1
            if event.comment:
                comments[f"a{number}"] = event.comment
            annotation = ET.SubElement(tier, "ANNOTATION")
            aligned = ET.SubElement(
                annotation,
                "ALIGNABLE_ANNOTATION",
                {
                    "ANNOTATION_ID": f"a{number}",
                    "TIME_SLOT_REF1": slot_ids[_ms(event.time)],
                    "TIME_SLOT_REF2": slot_ids[_ms(event.last_time)],
                },
            )
            ET.SubElement(aligned, "ANNOTATION_VALUE").text = join_modifiers(event.modifiers)
    if comments:
        ET.SubElement(header, "PROPERTY", {"NAME": _PROPERTY_COMMENTS}).text = json.dumps(comments)
    ET.SubElement(root, "LINGUISTIC_TYPE", {"LINGUISTIC_TYPE_ID": "default-lt", "TIME_ALIGNABLE": "true"})
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

"""Read and write BORIS project files (``.boris``, JSON, project format 7.x).

What is read:

* ``behaviors_conf`` (the ethogram): each behaviour's "code" becomes :attr:`Code.key` (and its name, or the
  description when there is one), "key" the shortcut, "type" "Point event"/"State event" the kind, and its
  modifier sets :attr:`Code.modifier_sets` (named pick-lists; :attr:`Code.modifiers` is their values in order).
  Behaviours nobody coded are kept. A project with no observations holds only an ethogram: reading it as
  codings raises :class:`EthogramOnly` (a :class:`CodingFormatError` that carries the ethogram);
  :func:`read_boris_ethogram` reads it.
* ``observations``: one :class:`Coding` per observation, keyed by the observation id (also its title).
  Each event is a list ``[time, subject, code, modifier, comment, ...]`` (extra items, as in newer BORIS
  versions, are ignored). ``modifier`` is BORIS's "|"-joined string, kept value by value exactly as written
  ("None" for an unset set, spaces included).
* State events are toggles: the first event of a (subject, code) starts the state and the next one stops it;
  the stop's modifiers and comment are dropped. A state still open at the end of the observation (a start
  with no stop, BORIS's "UNPAIRED") is kept open: its event has ``end=None`` and its code stays a state in the
  ethogram, so :attr:`Coding.unpaired` lists it. No end is invented for it.
* Media duration: the summed lengths of player 1's files of a MEDIA observation; None for LIVE ones.
* Times are taken as stored; the observation's "time offset" is not applied.
* Each coding keeps its media file names (:attr:`Coding.media`) and, in ``Coding.details["boris"]``, the project's
  and observation's settings and the behaviours as written, for :func:`to_boris_project` to write back.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

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
    ModifierSet,
    join_modifiers,
    split_modifiers,
)

_TYPES = {"point event": POINT, "state event": STATE}
_SINGLE, _MULTIPLE = 0, 1  # BORIS modifier set types (2 is a number typed in, 3 a value from a list)
# Project items kept as they were for a round trip (BORIS's own settings Attunement does not use).
_PROJECT_ITEMS = (
    "time_format",
    "project_name",
    "project_date",
    "project_description",
    "project_format_version",
    "subjects_conf",
    "behavioral_categories",
    "behavioral_categories_config",
    "independent_variables",
    "coding_map",
    "behaviors_coding_map",
    "converters",
)


class EthogramOnly(CodingFormatError):
    """The BORIS file holds an ethogram and no observations: nothing to import as a coding."""

    def __init__(self, ethogram: Ethogram):
        count = len(ethogram.codes)
        super().__init__(
            f"This BORIS file holds an ethogram ({count} behaviour{'' if count == 1 else 's'}) but no observations, "
            "so there is no coding in it. To add its behaviours to your organisation's ethogram, use "
            "“Add behaviours from a BORIS file” on the Ethogram page."
        )
        self.ethogram = ethogram


def _require(mapping, key: str, where: str, kind: type | tuple[type, ...]):
    if not isinstance(mapping, dict) or key not in mapping:
        raise CodingFormatError(f"The BORIS file has no {key!r} in {where}.")
    value = mapping[key]
    if not isinstance(value, kind):
        raise CodingFormatError(f"In the BORIS file, {key!r} in {where} has the wrong type ({type(value).__name__}).")
    return value


def _modifier_sets(raw, code: str) -> tuple[ModifierSet, ...]:
    if raw in ("", None):
        return ()
    if not isinstance(raw, dict):
        raise CodingFormatError(f"The modifiers of behaviour {code!r} in the BORIS file are not a set of values.")
    sets: list[ModifierSet] = []
    for set_id in sorted(raw, key=lambda k: (len(k), k)):
        entry = raw[set_id]
        if not isinstance(entry, dict) or not isinstance(entry.get("values", []), list):
            raise CodingFormatError(f"A modifier set of behaviour {code!r} in the BORIS file is malformed.")
        sets.append(
            ModifierSet(
                name=str(entry.get("name", "") or ""),
                values=tuple(str(v) for v in entry.get("values", [])),
                multiple=entry.get("type") == _MULTIPLE,
                description=str(entry.get("description", "") or ""),
            )
        )
    return tuple(sets)


def _ethogram(project: dict, limits: Limits) -> Ethogram:
    behaviours = _require(project, "behaviors_conf", "the project", dict)
    limits.check_codes(len(behaviours))
    codes = []
    for index in sorted(behaviours, key=lambda k: (len(k), k)):
        b = behaviours[index]
        where = f"behaviour {index}"
        code = _require(b, "code", where, str)
        kind = _TYPES.get(str(_require(b, "type", where, str)).strip().lower())
        if kind is None:
            raise CodingFormatError(f"Behaviour {code!r} in the BORIS file has the unsupported type {b['type']!r}.")
        description = b.get("description") or ""
        codes.append(
            Code(
                key=code,
                name=description if isinstance(description, str) and description else code,
                subject=str(b.get("subject", "") or ""),
                kind=kind,
                modifier_sets=_modifier_sets(b.get("modifiers", ""), code),
                shortcut=str(b.get("key", "") or ""),
            )
        )
    return Ethogram(tuple(codes))


def _media_duration(observation: dict, where: str) -> float | None:
    if observation.get("type") != "MEDIA":
        return None
    files = observation.get("file") or {}
    lengths = (observation.get("media_info") or {}).get("length") or {}
    player = files.get("1", []) if isinstance(files, dict) else []
    if not player or not isinstance(lengths, dict):
        return None
    total = 0.0
    for name in player:
        length = lengths.get(name)
        if isinstance(length, bool) or not isinstance(length, int | float) or not math.isfinite(length):
            return None
        total += float(length)
    return total


def _events(raw_events: list, ethogram: Ethogram, where: str) -> list[Event]:
    events: list[Event] = []
    open_states: dict[tuple[str, str], list] = {}
    rows = []
    for number, row in enumerate(raw_events, start=1):
        if not isinstance(row, list) or len(row) < 3:
            raise CodingFormatError(f"Event {number} of {where} is not a list [time, subject, code, …].")
        time, subject, code = row[0], row[1], row[2]
        modifier = row[3] if len(row) > 3 else ""
        comment = row[4] if len(row) > 4 else ""
        if isinstance(time, bool) or not isinstance(time, int | float) or not math.isfinite(time) or time < 0:
            raise CodingFormatError(f"Event {number} of {where} has the time {time!r}, not a number of seconds.")
        for name, value in (("subject", subject), ("code", code), ("modifier", modifier), ("comment", comment)):
            if not isinstance(value, str):
                raise CodingFormatError(f"Event {number} of {where} has a {name} that is not text: {value!r}.")
        if not code:
            raise CodingFormatError(f"Event {number} of {where} has no behaviour code.")
        rows.append((float(time), subject, code, modifier, comment))
    rows.sort(key=lambda r: r[0])  # BORIS keeps events sorted; be safe, stable for equal times
    for time, subject, code, modifier, comment in rows:
        definition = ethogram.get(code)
        if definition is None:
            raise CodingFormatError(f"{where.capitalize()} uses the behaviour {code!r}, which is not in the ethogram.")
        if definition.kind == POINT:
            events.append(Event(time, code, subject, None, split_modifiers(modifier), comment))
            continue
        start = open_states.pop((subject, code), None)
        if start is None:
            open_states[(subject, code)] = [time, modifier, comment]
        else:
            events.append(Event(start[0], code, subject, time, split_modifiers(start[1]), start[2]))
    for (subject, code), (time, modifier, comment) in open_states.items():
        events.append(Event(time, code, subject, None, split_modifiers(modifier), comment))  # unpaired: kept open
    return events


def read_boris_project(project, limits: Limits = DEFAULT_LIMITS) -> dict[str, Coding]:
    """Turn a parsed BORIS project (a dict) into one :class:`Coding` per observation, keyed by observation id.

    The sizes are checked against ``limits`` before any event is built."""
    if not isinstance(project, dict):
        raise CodingFormatError("The BORIS file does not hold a project (a JSON object).")
    ethogram = _ethogram(project, limits)
    observations = project.get("observations", {})
    if not isinstance(observations, dict):
        raise CodingFormatError("In the BORIS file, 'observations' in the project has the wrong type.")
    if not observations:
        raise EthogramOnly(ethogram)
    limits.check_observations(len(observations))
    limits.check_events(
        sum(
            len(o["events"]) for o in observations.values() if isinstance(o, dict) and isinstance(o.get("events"), list)
        )
    )
    codings = {}
    for obs_id, observation in observations.items():
        where = f"observation {obs_id!r}"
        if not isinstance(observation, dict):
            raise CodingFormatError(f"The BORIS file's {where} is not an object.")
        raw_events = _require(observation, "events", where, list)
        duration = _media_duration(observation, where)
        observer = observation.get("observer", "")
        codings[obs_id] = Coding(
            ethogram=ethogram,
            events=tuple(_events(raw_events, ethogram, where)),
            media_duration=duration,
            observer=observer if isinstance(observer, str) else "",
            title=obs_id,
            media=_media_files(observation),
            details={"boris": _kept(project, observation)},
        )
    return codings


def read_boris_ethogram(project, limits: Limits = DEFAULT_LIMITS) -> Ethogram:
    """The ethogram of a parsed BORIS project, whether or not it holds observations."""
    if not isinstance(project, dict):
        raise CodingFormatError("The BORIS file does not hold a project (a JSON object).")
    return _ethogram(project, limits)


def _media_files(observation: dict) -> tuple[str, ...]:
    files = observation.get("file") if observation.get("type") == "MEDIA" else None
    player = files.get("1", []) if isinstance(files, dict) else []
    return tuple(name for name in player if isinstance(name, str) and name) if isinstance(player, list) else ()


def _kept(project: dict, observation: dict) -> dict:
    """The project's and observation's settings, kept to be written back (events and ethogram are rebuilt)."""
    return {
        "project": {k: project[k] for k in _PROJECT_ITEMS if k in project},
        "behaviours": {b["code"]: b for b in project["behaviors_conf"].values() if isinstance(b.get("code"), str)},
        "observation": {k: v for k, v in observation.items() if k != "events"},
    }


def parse_json(text: str | bytes):
    """``json.loads``, with a plain message for text nested too deeply for Python to read."""
    try:
        return json.loads(text)
    except RecursionError:
        raise CodingFormatError(
            "The file is nested too deeply to be a coding file (lists or objects inside each other thousands of "
            "times). Please export the coding again from BORIS."
        ) from None


def loads_boris(text: str | bytes, limits: Limits = DEFAULT_LIMITS) -> dict[str, Coding]:
    """Parse the text of a ``.boris`` file; see :func:`read_boris_project`."""
    try:
        project = parse_json(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CodingFormatError(f"The BORIS file is not valid JSON ({error}).") from None
    return read_boris_project(project, limits)


def load_boris(path: str | Path) -> dict[str, Coding]:
    """Read a ``.boris`` file from disk; see :func:`read_boris_project`."""
    return loads_boris(Path(path).read_bytes())


def _modifier_conf(code: Code) -> dict:
    if code.modifier_sets:
        return {
            str(i): {
                "name": group.name,
                "type": _MULTIPLE if group.multiple else _SINGLE,
                "values": list(group.values),
                **({"description": group.description} if group.description else {}),
            }
            for i, group in enumerate(code.modifier_sets)
        }
    return {"0": {"name": "modifiers", "type": _SINGLE, "values": list(code.modifiers)}} if code.modifiers else {}


def _check_states_do_not_overlap(coding: Coding) -> None:
    """BORIS stores a state as two toggles: refuse what toggles cannot hold (overlapping states of one code and
    subject, or a state started again while an unpaired one of the same code and subject is still open)."""
    last_end: dict[tuple[str, str], float] = {}
    open_since: dict[tuple[str, str], float] = {}
    states = coding.state_codes
    for event in coding.events:
        if event.code not in states:
            continue
        key = (event.subject, event.code)
        if key in open_since:
            raise CodingFormatError(
                f"The {event.code!r} state from {open_since[key]:g} s is never stopped, but the same state starts "
                f"again at {event.time:g} s: BORIS would read the second start as the first one's stop. "
                "Please mark where the first one stops."
            )
        if key in last_end and event.time < last_end[key]:
            raise CodingFormatError(
                f"BORIS cannot hold two overlapping {event.code!r} states for the same subject (at {event.time} s)."
            )
        if event.end is None:  # unpaired: written as one start row, which must be the last of its state
            open_since[key] = event.time
            continue
        last_end[key] = max(last_end.get(key, 0.0), event.end)


def _behaviour(code: Code, kept: dict | None) -> dict:
    """A behaviour as BORIS stores it; what BORIS had for it (category, exclusions, coding map…) is kept."""
    behaviour = {
        "type": "State event" if code.kind == STATE else "Point event",
        "key": code.shortcut,
        "code": code.key,
        "description": code.name,
        "category": "",
        "modifiers": _modifier_conf(code),
        "excluded": "",
        "coding map": "",
    }
    if kept:
        behaviour = {**kept, **behaviour, **{k: kept[k] for k in ("category", "excluded", "coding map") if k in kept}}
        if code.name == code.key and not kept.get("description"):
            behaviour["description"] = kept.get("description", "")
        if not behaviour["modifiers"] and kept.get("modifiers") in ("", {}):
            behaviour["modifiers"] = kept["modifiers"]  # BORIS writes "" or {} for none
        old_sets = kept.get("modifiers") if isinstance(kept.get("modifiers"), dict) else {}
        for set_id, group in (
            behaviour["modifiers"] or {}
        ).items():  # keep a set's other settings (numeric, from list…)
            before = old_sets.get(set_id)
            if isinstance(before, dict) and before.get("name") == group["name"]:
                behaviour["modifiers"][set_id] = {**before, **group, "type": before.get("type", group["type"])}
    if code.subject:
        behaviour["subject"] = code.subject
    return behaviour


def to_boris_project(coding: Coding, project_name: str = "Attunement export") -> dict:
    """Build a BORIS 7 project dict holding ``coding`` as its single observation.

    The observation id is the coding's title (or "observation"). The whole ethogram is written, codes used or
    not, with their description (the code's name), shortcut key, kind and modifier sets; each state event is a
    start and a stop row with the same subject, code and modifiers, and an unpaired state (no end) a start row
    alone, so that BORIS and :func:`read_boris_project` see it unpaired again. The media files keep their names (one
    "media" file when only the duration is known). A coding read from a BORIS file
    (``coding.details["boris"]``) gets back that project's settings (subjects, categories, independent
    variables, converters, name and dates) and its observation's (date, description, offsets, media details).
    Reading the result with :func:`read_boris_project` gives back the coding. A code's subject is kept in an
    extra "subject" item of the behaviour and the observer in an extra "observer" item of the observation (BORIS
    ignores both). Overlapping states of the same code and subject, and a state started after an unpaired one of
    the same code and subject, cannot be written as BORIS toggles and raise :class:`CodingFormatError`.
    """
    _check_states_do_not_overlap(coding)
    kept = coding.details.get("boris") or {}
    kept_behaviours = kept.get("behaviours") or {}
    codes = list(coding.ethogram.codes)
    for key in dict.fromkeys(e.code for e in coding.events):
        if coding.ethogram.get(key) is None:
            kind = STATE if any(e.end is not None for e in coding.events if e.code == key) else POINT
            codes.append(Code(key=key, name=key, kind=kind))
    behaviours = {str(i): _behaviour(code, kept_behaviours.get(code.key)) for i, code in enumerate(codes)}
    rows = []
    for event in coding.events:
        mods = join_modifiers(event.modifiers)
        rows.append([event.time, event.subject, event.code, mods, event.comment])
        if event.end is not None:
            rows.append([event.end, event.subject, event.code, mods, ""])
    rows.sort(key=lambda r: r[0])
    media = list(coding.media) or (["media"] if coding.media_duration is not None else [])
    observation: dict = {
        "file": {"1": media, "2": []} if media else {},
        "type": "MEDIA" if media else "LIVE",
        "date": "",
        "description": "",
        "time offset": 0.0,
        "independent_variables": {},
        "visualize_spectrogram": False,
        "close_behaviors_between_videos": False,
    }
    if media:
        lengths = {}
        if len(media) == 1 and coding.media_duration is not None:
            lengths = {media[0]: coding.media_duration}
        observation["media_info"] = {
            "length": lengths,
            "fps": {},
            "hasVideo": {},
            "hasAudio": {},
            "offset": {"1": 0.0, "2": 0.0},
        }
    before = kept.get("observation") or {}
    if before:
        observation.update({k: v for k, v in before.items() if k not in ("file", "type", "media_info")})
        files = before.get("file")
        if before.get("type") == observation["type"] and isinstance(files, dict) and files.get("1") == media:
            observation["file"] = before["file"]
            if isinstance(before.get("media_info"), dict):
                observation["media_info"] = before["media_info"]
    observation["events"] = rows
    observation["observer"] = coding.observer
    subjects = sorted({e.subject for e in coding.events if e.subject})
    project = {
        "time_format": "hh:mm:ss",
        "project_name": project_name,
        "project_date": "",
        "project_description": "",
        "project_format_version": "7.0",
        "subjects_conf": {str(i): {"key": "", "name": s, "description": ""} for i, s in enumerate(subjects)},
        "behaviors_conf": behaviours,
        "behavioral_categories": [],
        "independent_variables": {},
        "coding_map": {},
        "converters": {},
    }
    project.update(kept.get("project") or {})
    known = {c.get("name") for c in project["subjects_conf"].values() if isinstance(c, dict)}
    for subject in subjects:  # a subject coded here but missing from the kept list
        if subject not in known:
            project["subjects_conf"][str(len(project["subjects_conf"]))] = {
                "key": "",
                "name": subject,
                "description": "",
            }
    project["observations"] = {coding.title or "observation": observation}
    return project


def dumps_boris(coding: Coding) -> str:
    """The JSON text of :func:`to_boris_project` for ``coding``."""
    return json.dumps(to_boris_project(coding), indent=1)

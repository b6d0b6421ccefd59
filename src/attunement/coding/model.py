"""The data model of a coding: an ethogram (the codes that may be used) and the events an observer coded.

Representation chosen: an :class:`Event` has an onset ``time`` and, for state events, an ``end``; point events
have ``end is None``. Storing the end (not a duration) keeps file round-trips exact, because BORIS and ELAN
both store starts and stops. All times are seconds from the start of the media, never negative.

A state that was started and never stopped (BORIS calls it "UNPAIRED") also has ``end is None``: whether an
event without an end is a point or an unpaired state is decided by the coding's ethogram, never by the event
alone (see :attr:`Coding.state_codes` and :attr:`Coding.unpaired`). No end is ever invented for it.

Modifiers are plain strings. They may not contain ``|``, which BORIS (and our ELAN export) use to join them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

POINT: Literal["point"] = "point"
STATE: Literal["state"] = "state"
KINDS = (POINT, STATE)
MODIFIER_SEPARATOR = "|"


class CodingFormatError(ValueError):
    """A coding file or coding value is malformed; the message says what is wrong in plain words."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class UnpairedStates(CodingFormatError):
    """A figure or file needs every state's end, and these states were started and never stopped.

    ``events`` are the unpaired states; the message names them (see :func:`unpaired_words`)."""

    def __init__(self, message: str, events):
        super().__init__(message)
        self.events = tuple(events)


@dataclass(frozen=True)
class Limits:
    """The most a file may hold, checked while it is read so an oversized file is refused before it is built.

    ``events`` counts the event rows of the whole file (for BORIS, a state's start and stop are two rows),
    ``codes`` the behaviours or tiers, ``observations`` the observations of a BORIS project.
    """

    events: int = 50_000
    codes: int = 1_000
    observations: int = 500

    def check_events(self, count: int) -> None:
        if count > self.events:
            raise CodingFormatError(
                f"The file holds more than {self.events:,} events, the most one file may have. "
                "Please split the coding into shorter parts and import them one by one."
            )

    def check_codes(self, count: int) -> None:
        if count > self.codes:
            raise CodingFormatError(
                f"The file defines more than {self.codes:,} behaviours, the most one file may have."
            )

    def check_observations(self, count: int) -> None:
        if count > self.observations:
            raise CodingFormatError(
                f"The file holds more than {self.observations:,} observations, the most one file may have. "
                "Please export the observation you want on its own."
            )


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class ModifierSet:
    """One named list of modifier values a code offers (BORIS "modifier set", a pick-list in the ethogram).

    ``multiple`` is True when several values of the set may be chosen at once (BORIS type 1)."""

    name: str
    values: tuple[str, ...] = ()
    multiple: bool = False
    description: str = ""

    def __post_init__(self):
        object.__setattr__(self, "values", tuple(self.values))


@dataclass(frozen=True)
class Code:
    """One behaviour in an ethogram.

    ``key`` identifies the code (events refer to it; BORIS "code", ELAN tier id), ``name`` describes it,
    ``subject`` is who shows it ("learner", "partner" or "" when any subject may), ``kind`` is "point" or
    "state", ``modifiers`` lists the allowed modifier values and ``shortcut`` is the keyboard key used while
    coding (BORIS "key"). ``modifier_sets`` keeps the modifiers as named pick-lists when the source has them;
    ``modifiers`` is then their values flattened in order.
    """

    key: str
    name: str
    subject: str = ""
    kind: str = POINT
    modifiers: tuple[str, ...] = ()
    shortcut: str = ""
    modifier_sets: tuple[ModifierSet, ...] = ()

    def __post_init__(self):
        if not isinstance(self.key, str) or not self.key:
            raise CodingFormatError("A code needs a non-empty key.")
        if self.kind not in KINDS:
            raise CodingFormatError(f"Code {self.key!r} has kind {self.kind!r}; it must be 'point' or 'state'.")
        object.__setattr__(self, "modifier_sets", tuple(self.modifier_sets))
        modifiers = tuple(self.modifiers)
        if not modifiers and self.modifier_sets:
            modifiers = tuple(value for group in self.modifier_sets for value in group.values)
        object.__setattr__(self, "modifiers", modifiers)


@dataclass(frozen=True)
class Ethogram:
    """An ordered collection of codes with distinct keys."""

    codes: tuple[Code, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "codes", tuple(self.codes))
        seen: set[str] = set()
        for code in self.codes:
            if code.key in seen:
                raise CodingFormatError(f"The ethogram has the code {code.key!r} twice.")
            seen.add(code.key)

    def get(self, key: str) -> Code | None:
        """Return the code with this key, or None if the ethogram has no such code."""
        for code in self.codes:
            if code.key == key:
                return code
        return None

    @property
    def keys(self) -> tuple[str, ...]:
        """The code keys in ethogram order."""
        return tuple(code.key for code in self.codes)


def _check_time(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CodingFormatError(f"The {what} {value!r} is not a number of seconds.")
    value = float(value)
    if not math.isfinite(value) or value < 0:
        raise CodingFormatError(f"The {what} {value!r} must be a finite number of seconds, not negative.")
    return value


@dataclass(frozen=True)
class Event:
    """One coded event: a point at ``time`` (``end is None``) or a state from ``time`` to ``end``."""

    time: float
    code: str
    subject: str = ""
    end: float | None = None
    modifiers: tuple[str, ...] = ()
    comment: str = ""

    def __post_init__(self):
        object.__setattr__(self, "time", _check_time(self.time, "event time"))
        if self.end is not None:
            end = _check_time(self.end, "event end")
            if end < self.time:
                raise CodingFormatError(f"The {self.code!r} event ends at {end} s, before it starts at {self.time} s.")
            object.__setattr__(self, "end", end)
        if not isinstance(self.code, str) or not self.code:
            raise CodingFormatError("An event needs a code.")
        mods = tuple(self.modifiers)
        for mod in mods:
            if not isinstance(mod, str) or MODIFIER_SEPARATOR in mod:
                raise CodingFormatError(f"The modifier {mod!r} must be text without '|'.")
        object.__setattr__(self, "modifiers", mods)

    @property
    def kind(self) -> str:
        """ "state" when the event has an end, otherwise "point".

        An unpaired state (a state with no end) looks like a point here: where a state can lack its end, ask
        the coding (:meth:`Coding.kind_of`), which decides from its ethogram."""
        return POINT if self.end is None else STATE

    @property
    def duration(self) -> float | None:
        """Seconds from start to end for a state event; None for a point event."""
        return None if self.end is None else self.end - self.time

    @property
    def last_time(self) -> float:
        """The latest moment the event covers (its end, or its time for a point)."""
        return self.time if self.end is None else self.end


def event_sort_key(event: Event) -> tuple:
    """The canonical order of events: by time, then subject, code, end, modifiers and comment."""
    return (
        event.time,
        event.subject,
        event.code,
        -1.0 if event.end is None else event.end,
        event.modifiers,
        event.comment,
    )


@dataclass(frozen=True)
class Coding:
    """One observer's coding of one media item. Events are kept in canonical order (see :func:`event_sort_key`).

    ``media`` names the media files coded (paths or URLs as the source tool wrote them), in play order.
    ``details`` keeps, by format ("elan", "boris"), what an imported file held beyond the coding itself (tier
    hierarchy, vocabularies, media links, project settings) as plain JSON data, so that writing the coding in the
    same format gives it back; it takes no part in comparing codings."""

    ethogram: Ethogram
    events: tuple[Event, ...] = ()
    media_duration: float | None = None
    observer: str = ""
    title: str = field(default="")
    media: tuple[str, ...] = ()
    details: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "events", tuple(sorted(self.events, key=event_sort_key)))
        object.__setattr__(self, "media", tuple(self.media))
        if self.media_duration is not None:
            object.__setattr__(self, "media_duration", _check_time(self.media_duration, "media duration"))

    @cached_property  # a Coding never changes, so its state codes are worked out once
    def state_codes(self) -> frozenset[str]:
        """The keys of the codes that are states: those the ethogram calls states, and any code an event of which
        has an end (a code missing from the ethogram)."""
        return frozenset(
            {code.key for code in self.ethogram.codes if code.kind == STATE}
            | {event.code for event in self.events if event.end is not None}
        )

    def kind_of(self, event: Event) -> str:
        """ "state" or "point" for one of the coding's events, decided by the ethogram (see :attr:`state_codes`)."""
        return STATE if event.end is not None or event.code in self.state_codes else POINT

    @property
    def unpaired(self) -> tuple[Event, ...]:
        """The states started and never stopped (BORIS's "UNPAIRED"): events with no end of a state code."""
        states = self.state_codes
        return tuple(event for event in self.events if event.end is None and event.code in states)

    @property
    def observed_time(self) -> float:
        """Seconds observed: the media duration, extended to the latest event if an event runs past it."""
        latest = max((event.last_time for event in self.events), default=0.0)
        return max(self.media_duration or 0.0, latest)


def unpaired_words(events, limit: int = 10) -> str:
    """The unpaired states named in plain words: "s (no subject) from 26.862 s; …", at most ``limit`` of them."""
    events = list(events)
    shown = [f"{e.code} ({e.subject or 'no subject'}) from {e.time:g} s" for e in events[:limit]]
    more = len(events) - len(shown)
    return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")


def join_modifiers(modifiers: tuple[str, ...]) -> str:
    """Join modifiers the way BORIS stores them ("a|b"; no modifiers is "")."""
    return MODIFIER_SEPARATOR.join(modifiers)


def split_modifiers(text: str) -> tuple[str, ...]:
    """Split a BORIS-style modifier string into a tuple; "" gives (). Values are kept exactly, spaces included."""
    return tuple(text.split(MODIFIER_SEPARATOR)) if text else ()


def ethogram_from_events(events, kinds: dict[str, str] | None = None) -> Ethogram:
    """Build a minimal ethogram from events: one code per code key, kind from the events (state if any has an end).

    The subject is the events' subject when they all share one, otherwise "". ``kinds`` may force a kind.
    """
    order: list[str] = []
    subjects: dict[str, set[str]] = {}
    states: set[str] = set()
    for event in events:
        if event.code not in subjects:
            order.append(event.code)
            subjects[event.code] = set()
        subjects[event.code].add(event.subject)
        if event.end is not None:
            states.add(event.code)
    codes = []
    for key in order:
        kind = (kinds or {}).get(key) or (STATE if key in states else POINT)
        subject = next(iter(subjects[key])) if len(subjects[key]) == 1 else ""
        codes.append(Code(key=key, name=key, subject=subject, kind=kind))
    return Ethogram(tuple(codes))


_BEHAVIOURS = (
    # (suffix, name, kind, learner shortcut, partner shortcut)
    ("looks", "looks at face", STATE, "a", "j"),
    ("vocalises", "vocalises", POINT, "s", "k"),
    ("smiles", "smiles or laughs", POINT, "d", "l"),
    ("imitates", "imitates or mirrors", POINT, "f", ";"),
    ("touches", "touches", STATE, "g", "h"),
    ("turns-away", "turns away", POINT, "q", "p"),
    ("initiates", "initiates", POINT, "w", "o"),
)


def _default_ethogram() -> Ethogram:
    codes = []
    for subject, prefix, column in (("learner", "L", 3), ("partner", "P", 4)):
        for row in _BEHAVIOURS:
            suffix, name, kind = row[0], row[1], row[2]
            codes.append(
                Code(
                    key=f"{prefix}-{suffix}",
                    name=f"{subject.capitalize()} {name}",
                    subject=subject,
                    kind=kind,
                    shortcut=row[column],
                )
            )
    return Ethogram(tuple(codes))


#: The Intensive Interaction ethogram: seven behaviours each for the learner (keys "L-…") and the partner
#: ("P-…"). Looking at the face and touching are states (they last); the rest are points. Every code has its
#: own keyboard shortcut: learner codes on the left hand, partner codes on the right.
DEFAULT_ETHOGRAM = _default_ethogram()

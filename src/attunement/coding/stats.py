"""Statistics on codings: per-code summaries, transitions, lag-1 contingency and Yule's Q, chains of turns, and
Cohen's kappa between two observers on time units. Standard library only; every function returns plain data.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from attunement.coding.model import STATE, Coding, Event

NO_CODE = "(none)"


@dataclass(frozen=True)
class CodeStats:
    """Summary of one code in one coding. Durations are None for point codes; proportion is None if nothing
    was observed (observed time 0)."""

    code: str
    kind: str
    count: int
    total_duration: float | None
    mean_duration: float | None
    rate_per_minute: float | None
    proportion: float | None


def code_stats(coding: Coding) -> dict[str, CodeStats]:
    """Per-code count, total and mean duration (states), rate per minute and proportion of observed time.

    Codes are those of the ethogram in order, then any code used by events but missing from the ethogram. A
    code is a state if the ethogram says so or any of its events has an end. Observed time is
    :attr:`Coding.observed_time` (media duration, stretched to the latest event). The proportion (time budget)
    is the summed duration of the code's events divided by observed time; it only exceeds 1 if the code's own
    events overlap (e.g. the same code for two subjects at once). Rate is count per minute of observed time.
    """
    observed = coding.observed_time
    keys = list(coding.ethogram.keys)
    for event in coding.events:
        if event.code not in keys:
            keys.append(event.code)
    result = {}
    for key in keys:
        events = [e for e in coding.events if e.code == key]
        code = coding.ethogram.get(key)
        is_state = (code is not None and code.kind == STATE) or any(e.end is not None for e in events)
        count = len(events)
        total = mean = proportion = None
        if is_state:
            total = math.fsum(e.duration or 0.0 for e in events)
            mean = total / count if count else None
            proportion = total / observed if observed > 0 else None
        rate = count / (observed / 60.0) if observed > 0 else None
        result[key] = CodeStats(key, STATE if is_state else "point", count, total, mean, rate, proportion)
    return result


def sequence(coding: Coding, subjects: tuple[str, ...] | None = None) -> list[str]:
    """The codes of the events in onset order (the canonical event order), optionally only for some subjects."""
    return [e.code for e in coding.events if subjects is None or e.subject in subjects]


def transitions(codes: list[str]) -> Counter:
    """Count transitions between successive codes: ``{(a, b): n}`` over consecutive pairs of the sequence."""
    return Counter(zip(codes, codes[1:], strict=False))


@dataclass(frozen=True)
class Lag1Table:
    """The 2x2 lag-1 table for "given followed by target" over all consecutive pairs.

    a: given then target; b: given then not target; c: not given then target; d: neither.
    """

    given: str
    target: str
    a: int
    b: int
    c: int
    d: int

    @property
    def yules_q(self) -> float | None:
        """Yule's Q = (ad - bc) / (ad + bc); None when ad + bc is 0 (Q undefined)."""
        return yules_q(self.a, self.b, self.c, self.d)


def lag1_table(codes: list[str], given: str, target: str) -> Lag1Table:
    """Build the lag-1 contingency table of ``given`` followed by ``target`` from a code sequence."""
    a = b = c = d = 0
    for first, second in zip(codes, codes[1:], strict=False):
        if first == given:
            if second == target:
                a += 1
            else:
                b += 1
        elif second == target:
            c += 1
        else:
            d += 1
    return Lag1Table(given, target, a, b, c, d)


def yules_q(a: int, b: int, c: int, d: int) -> float | None:
    """Yule's Q = (ad - bc) / (ad + bc) for a 2x2 table; None when the denominator ad + bc is zero."""
    denominator = a * d + b * c
    if denominator == 0:
        return None
    return (a * d - b * c) / denominator


def turn_chains(
    coding: Coding, max_gap: float, subjects: tuple[str, str] = ("learner", "partner")
) -> list[tuple[Event, ...]]:
    """Split the two subjects' events into chains of alternating turns.

    Events of the two ``subjects`` are taken in onset order (other subjects are ignored). An event continues
    the current chain when it is by the other subject than the previous event and starts at most ``max_gap``
    seconds after the previous event's onset; otherwise it starts a new chain. Every event belongs to exactly
    one chain, so chains of length 1 are events nobody answered.
    """
    chains: list[list[Event]] = []
    previous: Event | None = None
    for event in coding.events:
        if event.subject not in subjects:
            continue
        if previous is not None and event.subject != previous.subject and event.time - previous.time <= max_gap:
            chains[-1].append(event)
        else:
            chains.append([event])
        previous = event
    return [tuple(chain) for chain in chains]


def longest_chain(chains: list[tuple[Event, ...]]) -> tuple[Event, ...]:
    """The longest chain (the earliest one on ties); the empty tuple if there are none."""
    best: tuple[Event, ...] = ()
    for chain in chains:
        if len(chain) > len(best):
            best = chain
    return best


def initiations(chains: list[tuple[Event, ...]], min_length: int = 2) -> Counter:
    """Count, per subject, the chains of at least ``min_length`` events that the subject began."""
    return Counter(chain[0].subject for chain in chains if len(chain) >= min_length)


# --- agreement ---------------------------------------------------------------------------------------------


def unit_count(a: Coding, b: Coding, unit: float = 1.0) -> int:
    """Number of time units compared: ceil(T / unit) with T the longer observed time, and at least 1."""
    if not (unit > 0 and math.isfinite(unit)):
        raise ValueError("The time unit must be a positive number of seconds.")
    longest = max(a.observed_time, b.observed_time)
    return max(1, math.ceil(longest / unit))


def presence(coding: Coding, n_units: int, unit: float = 1.0) -> list[frozenset[str]]:
    """For each time unit [i*unit, (i+1)*unit), the set of codes present in it.

    A point event is present in the unit containing its time; a state event in every unit its interval
    [start, end) overlaps, and a zero-length state in the unit containing its start. Times at or beyond the
    last unit count in the last unit.
    """
    units: list[set[str]] = [set() for _ in range(n_units)]
    last = n_units - 1
    for event in coding.events:
        first = min(int(event.time // unit), last)
        if event.end is None or event.end == event.time:
            stop = first
        else:
            stop = min(math.ceil(event.end / unit) - 1, last)
        for index in range(first, max(first, stop) + 1):
            units[index].add(event.code)
    return [frozenset(u) for u in units]


def combined_label(codes: frozenset[str]) -> str:
    """The overall label of a time unit: the codes present, sorted and joined with "+", or "(none)"."""
    return "+".join(sorted(codes)) if codes else NO_CODE


def cohen_kappa(labels_a: list, labels_b: list) -> float | None:
    """Cohen's kappa for two equally long label sequences, computed exactly from counts.

    kappa = (n*agree - sum_k na_k*nb_k) / (n^2 - sum_k na_k*nb_k). When the denominator is zero both observers
    used one and the same category throughout, so observed agreement is 1 and kappa is defined as 1.0. Returns
    None for empty sequences.
    """
    if len(labels_a) != len(labels_b):
        raise ValueError("Both label sequences must have the same length.")
    n = len(labels_a)
    if n == 0:
        return None
    agree = sum(1 for x, y in zip(labels_a, labels_b, strict=True) if x == y)
    count_a, count_b = Counter(labels_a), Counter(labels_b)
    chance = sum(count_a[k] * count_b[k] for k in count_a)
    denominator = n * n - chance
    if denominator == 0:
        return 1.0 if agree == n else None  # agree < n cannot happen here; kept for safety
    return (n * agree - chance) / denominator


@dataclass(frozen=True)
class Agreement:
    """Agreement between two codings on time units.

    ``overall`` is kappa over the combined label of each unit (see :func:`combined_label`); ``per_code`` is
    kappa on presence/absence of each code; ``table`` counts units by (label of A, label of B).
    """

    unit: float
    n_units: int
    overall: float | None
    observed_agreement: float
    per_code: dict[str, float | None]
    table: dict[tuple[str, str], int]


def agreement(a: Coding, b: Coding, unit: float = 1.0) -> Agreement:
    """Cohen's kappa between two codings of the same media on time units of ``unit`` seconds (default 1 s).

    Both codings are cut into the same ``unit_count`` units. Per code (every code of either ethogram or used by
    either coding), each unit is "present"/"absent" and kappa is computed on that. Overall, each unit gets the
    combined label of all codes present (so "(none)", "L-looks", "L-looks+P-smiles" are distinct categories).
    """
    n = unit_count(a, b, unit)
    units_a, units_b = presence(a, n, unit), presence(b, n, unit)
    labels_a = [combined_label(u) for u in units_a]
    labels_b = [combined_label(u) for u in units_b]
    keys: list[str] = []
    for key in [*a.ethogram.keys, *b.ethogram.keys, *(e.code for e in a.events), *(e.code for e in b.events)]:
        if key not in keys:
            keys.append(key)
    per_code = {key: cohen_kappa([key in u for u in units_a], [key in u for u in units_b]) for key in keys}
    table = Counter(zip(labels_a, labels_b, strict=True))
    agree = sum(1 for x, y in zip(labels_a, labels_b, strict=True) if x == y)
    return Agreement(unit, n, cohen_kappa(labels_a, labels_b), agree / n, per_code, dict(table))

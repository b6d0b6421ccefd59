"""Statistics on codings: per-code summaries, transitions, lag-1 contingency and Yule's Q, chains of turns, and
Cohen's kappa between two observers on time units. Standard library only; every function returns plain data.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from attunement.coding.model import STATE, Coding, Event, UnpairedStates, join_modifiers, unpaired_words

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
    unpaired: int = 0

    @property
    def is_unpaired(self) -> bool:
        """True when a state of this code was started and never stopped (BORIS reports "UNPAIRED")."""
        return self.unpaired > 0


UNPAIRED = "UNPAIRED"


def code_stats(coding: Coding, subject: str | None = None) -> dict[str, CodeStats]:
    """Per-code count, total and mean duration (states), rate per minute and proportion of observed time.

    Codes are those of the ethogram in order, then any code used by events but missing from the ethogram. A
    code is a state if the ethogram says so or any of its events has an end (:attr:`Coding.state_codes`). Observed
    time is
    :attr:`Coding.observed_time` (media duration, stretched to the latest event). The proportion (time budget)
    is the summed duration of the code's events divided by observed time; it only exceeds 1 if the code's own
    events overlap (e.g. the same code for two subjects at once). Rate is count per minute of observed time.

    With ``subject``, only that subject's events count (and only the codes it used): its time budget. An event
    of a state code that has no end is an unpaired state: it is counted, but the code's durations and share
    of time are None and ``unpaired`` says how many, as BORIS reports "UNPAIRED" instead of guessing an end.
    """
    observed = coding.observed_time
    states = coding.state_codes
    chosen = [e for e in coding.events if subject is None or e.subject == subject]
    keys = list(coding.ethogram.keys) if subject is None else []
    for event in chosen:
        if event.code not in keys:
            keys.append(event.code)
    result = {}
    for key in keys:
        events = [e for e in chosen if e.code == key]
        is_state = key in states
        count = len(events)
        total = mean = proportion = None
        unpaired = sum(1 for e in events if e.end is None) if is_state else 0
        if is_state and not unpaired:
            total = math.fsum(e.duration or 0.0 for e in events)
            mean = total / count if count else None
            proportion = total / observed if observed > 0 else None
        rate = count / (observed / 60.0) if observed > 0 else None
        result[key] = CodeStats(key, STATE if is_state else "point", count, total, mean, rate, proportion, unpaired)
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


def subjects_of(coding: Coding) -> list[str]:
    """The subjects of a coding's events, in order of first appearance ("" is events with no subject)."""
    seen: list[str] = []
    for event in coding.events:
        if event.subject not in seen:
            seen.append(event.subject)
    return seen


@dataclass(frozen=True)
class Transition:
    """One observed transition ``given`` -> ``target`` in a subject's sequence, its count and lag-1 Yule's Q."""

    given: str
    target: str
    count: int
    table: Lag1Table

    @property
    def yules_q(self) -> float | None:
        return self.table.yules_q


@dataclass(frozen=True)
class SubjectStats:
    """One subject's statistics: time budget per code, its event sequence's transitions with lag-1 Yule's Q,
    and its unpaired states (state events with a start and no stop)."""

    subject: str
    events: int
    codes: dict[str, CodeStats]
    transitions: list[Transition]
    unpaired: list[Event]


def subject_stats(coding: Coding, subject: str) -> SubjectStats:
    """Statistics of one subject. Its sequence is its events' codes in onset order; each transition a -> b
    observed in it comes with the count and Yule's Q of the lag-1 table "a followed by b" over the sequence."""
    codes = code_stats(coding, subject)
    order = sequence(coding, (subject,))
    counted = transitions(order)
    rows = [
        Transition(given, target, n, lag1_table(order, given, target))
        for (given, target), n in sorted(counted.items(), key=lambda item: (-item[1], item[0]))
    ]
    unpaired = [e for e in coding.unpaired if e.subject == subject]
    return SubjectStats(subject, len(order), codes, rows, unpaired)


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


def refuse_unpaired(*codings: Coding, events_of=None) -> None:
    """Raise :class:`UnpairedStates` naming every unpaired state of these codings (only among ``events_of(coding)``
    when given). Agreement on time units needs to know when each state stops: BORIS leaves an observation with
    an unpaired state out of its kappa, and so do we, rather than guess an end."""
    parts, found = [], []
    for coding in codings:
        chosen = set(events_of(coding)) if events_of is not None else None
        unpaired = [e for e in coding.unpaired if chosen is None or e in chosen]
        if unpaired:
            found.extend(unpaired)
            name = f"“{coding.title}”" if coding.title else "one coding"
            parts.append(f"in {name}: {unpaired_words(unpaired)}")
    if found:
        raise UnpairedStates(
            "Agreement cannot be worked out while a state is started and never stopped (UNPAIRED, as BORIS says), "
            "because nobody knows how long it lasts: "
            + "; ".join(parts)
            + ". Please mark where it stops and import the coding again, or leave that code or person out of the "
            "comparison.",
            found,
        )


def unit_count(a: Coding, b: Coding, unit: float = 1.0) -> int:
    """Number of time units compared: ceil(T / unit) with T the longer observed time, and at least 1."""
    if not (unit > 0 and math.isfinite(unit)):
        raise ValueError("The time unit must be a positive number of seconds.")
    longest = max(a.observed_time, b.observed_time)
    return max(1, math.ceil(_in_units(longest, unit)))


# Times are kept to the millisecond, so a difference below a nanosecond is only binary floating point showing
# through (6.6 / 0.6 = 10.999…, 1.6 − 1.0 = 0.6000…01); it is rounded away so boundaries fall where they are written.
_FLOAT_SLACK = 1e-9


def _in_units(seconds: float, unit: float) -> float:
    """``seconds / unit``, rounded to nine places so a time written on a unit boundary is on it."""
    return round(seconds / unit, 9)


def presence(coding: Coding, n_units: int, unit: float = 1.0) -> list[frozenset[str]]:
    """For each time unit [i*unit, (i+1)*unit), the set of codes present in it.

    A point event is present in the unit containing its time; a state event in every unit its interval
    [start, end) overlaps, and a zero-length state in the unit containing its start. Times at or beyond the
    last unit count in the last unit. A coding with an unpaired state raises :class:`UnpairedStates`.
    """
    refuse_unpaired(coding)
    units: list[set[str]] = [set() for _ in range(n_units)]
    last = n_units - 1
    for event in coding.events:
        first = min(math.floor(_in_units(event.time, unit)), last)
        if event.end is None or event.end == event.time:
            stop = first
        else:
            stop = min(math.ceil(_in_units(event.end, unit)) - 1, last)
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
    An unpaired state in either coding raises :class:`UnpairedStates` (see :func:`refuse_unpaired`).
    """
    refuse_unpaired(a, b)
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


# --- agreement as BORIS computes it ---------------------------------------------------------------------------

#: How BORIS names the subject of events coded with no subject.
NO_FOCAL_SUBJECT = "No focal subject"

#: The most time units one comparison may have (units times subjects), so a tiny unit cannot exhaust memory.
MAX_UNITS = 2_000_000


@dataclass(frozen=True)
class BorisKappa:
    """Cohen's kappa on time units as BORIS defines it (its "IRR - Cohen's kappa (time-unit)").

    ``labels_a``/``labels_b`` hold one label per (time, subject) sample, in time order then subject order; a
    label is the sorted tuple of (subject, code) pairs present, the empty tuple when nothing is. ``start`` and
    ``end`` are the observed interval (the first start and last stop of both codings), ``times`` the number of
    time points. ``kappa`` is None when a coding has no event to compare (BORIS refuses such a pair too).
    """

    unit: float
    subjects: tuple[str, ...]
    codes: tuple[str, ...] | None
    start: float | None
    end: float | None
    times: int
    labels_a: list[tuple]
    labels_b: list[tuple]
    kappa: float | None
    observed_agreement: float | None
    table: dict[tuple[tuple, tuple], int]


def boris_unit_labels(
    a: Coding,
    b: Coding,
    unit: float = 1.0,
    subjects: tuple[str, ...] | None = None,
    codes: tuple[str, ...] | None = None,
    include_modifiers: bool = False,
) -> BorisKappa:
    """Cut two codings into time points BORIS's way and label each (time, subject); see :func:`boris_kappa`."""
    from decimal import Decimal

    if not (unit > 0 and math.isfinite(unit)):
        raise ValueError("The time unit must be a positive number of seconds.")
    if subjects is None:
        subjects = tuple(sorted({e.subject for e in (*a.events, *b.events)}))
    chosen = set(subjects)

    def kept(coding: Coding) -> list[Event]:
        return [e for e in coding.events if e.subject in chosen and (codes is None or e.code in codes)]

    events_a, events_b = kept(a), kept(b)
    refuse_unpaired(a, b, events_of=kept)
    empty = BorisKappa(unit, tuple(subjects), codes, None, None, 0, [], [], None, None, {})
    if not events_a or not events_b:
        return empty
    both = events_a + events_b
    first = min(e.time for e in both)
    last = max(e.last_time for e in both)
    step = Decimal(str(unit))
    if (last - first) / unit * max(1, len(subjects)) > MAX_UNITS:
        raise ValueError("The time unit is too short for this long a coding: please choose a longer unit.")
    times: list[float] = []
    current = Decimal(repr(first))
    # Compared with the stop as the float it is, like BORIS (a Decimal against a float is compared exactly): with
    # 0.5 s units from 0.2 s, a stop at 10.7 s (stored a little under 10.7) gives no time point at 10.7.
    while current <= last:
        times.append(float(current))
        current += step
    half = float(step / 2)
    column = {subject: index for index, subject in enumerate(subjects)}

    def labels(events: list[Event]) -> list[tuple]:
        import bisect

        cells: list[list] = [[] for _ in range(len(times) * len(subjects))]
        for event in events:
            item = (event.subject, event.code, join_modifiers(event.modifiers)) if include_modifiers else None
            item = item or (event.subject, event.code)
            if event.end is not None:
                # A state is present at every time point t with start <= t <= stop (both ends included).
                lo, hi = bisect.bisect_left(times, event.time), bisect.bisect_right(times, event.end)
            else:
                # A point is present at every time point within half a unit of it.
                lo = max(0, bisect.bisect_left(times, event.time - half) - 1)
                hi = min(len(times), bisect.bisect_right(times, event.time + half) + 1)
            for index in range(lo, hi):
                if event.end is None and not abs(event.time - times[index]) <= half:
                    continue
                cells[index * len(subjects) + column[event.subject]].append(item)
        return [tuple(sorted(cell)) for cell in cells]

    labels_a, labels_b = labels(events_a), labels(events_b)
    table = Counter(zip(labels_a, labels_b, strict=True))
    agree = sum(n for (x, y), n in table.items() if x == y)
    return BorisKappa(
        unit=unit,
        subjects=tuple(subjects),
        codes=codes,
        start=first,
        end=last,
        times=len(times),
        labels_a=labels_a,
        labels_b=labels_b,
        kappa=cohen_kappa(labels_a, labels_b),
        observed_agreement=agree / len(labels_a) if labels_a else None,
        table=dict(table),
    )


def boris_kappa(
    a: Coding,
    b: Coding,
    unit: float = 1.0,
    subjects: tuple[str, ...] | None = None,
    codes: tuple[str, ...] | None = None,
    include_modifiers: bool = False,
) -> BorisKappa:
    """Cohen's kappa between two codings as BORIS computes it, so that figures can be compared with BORIS's.

    Only events of the chosen ``subjects`` (default: every subject of either coding; "" is BORIS's "No focal
    subject") and ``codes`` (default: all) count. The observed interval runs from the earliest start to the
    latest stop of those events in either coding; time points are taken every ``unit`` seconds from its start,
    up to and including its end. At each time point and for each subject, the label is what that subject does
    then: every state whose start <= t <= stop, and every point event within half a unit of t
    (|time - t| <= unit / 2), so a point may count at two time points. Each (time point, subject) is one
    sample; kappa is Cohen's on these samples, and 1 when both codings use one and the same label throughout.
    BORIS rounds kappa to three decimals; this function does not. Like BORIS, which leaves observations with
    UNPAIRED state events out of its kappa, it refuses (:class:`UnpairedStates`, naming them) when a compared
    state is started and never stopped; unlike BORIS, an unpaired state of a subject or code not compared does
    not stop the comparison.
    """
    return boris_unit_labels(a, b, unit, subjects, codes, include_modifiers)


# --- agreement on point events within a tolerance -------------------------------------------------------------


@dataclass(frozen=True)
class PointAgreement:
    """Point events of two codings matched one to one within ``tolerance`` seconds (same code and subject).

    ``proportion`` is matched / (matched + unmatched in A + unmatched in B); ``f1`` is 2 * matched / (events in
    A + events in B). Both are None when neither coding has a point event. ``mean_offset`` is the mean of
    |time in B - time in A| over the matched pairs.
    """

    tolerance: float
    events_a: int
    events_b: int
    matched: int
    proportion: float | None
    f1: float | None
    mean_offset: float | None
    per_code: dict[str, tuple[int, int, int]]  # code: (events in A, events in B, matched)


def match_points(times_a: list[float], times_b: list[float], tolerance: float) -> list[tuple[float, float]]:
    """The largest one-to-one matching of two lists of times with |a - b| <= tolerance.

    Both lists are sorted and walked together; the earliest unmatched time of either list is matched to the
    earliest time of the other within the tolerance, or dropped. For points on a line this greedy walk gives a
    matching of the largest possible size.
    """
    xs, ys = sorted(times_a), sorted(times_b)
    pairs = []
    i = j = 0
    while i < len(xs) and j < len(ys):
        if abs(xs[i] - ys[j]) <= tolerance + _FLOAT_SLACK:
            pairs.append((xs[i], ys[j]))
            i += 1
            j += 1
        elif xs[i] < ys[j]:
            i += 1
        else:
            j += 1
    return pairs


def point_agreement(a: Coding, b: Coding, tolerance: float = 1.0) -> PointAgreement:
    """Agreement on point events: events of the same code and subject match when within ± ``tolerance`` s."""
    if not (tolerance >= 0 and math.isfinite(tolerance)):
        raise ValueError("The tolerance must be zero or a positive number of seconds.")

    def points(coding: Coding) -> dict[tuple[str, str], list[float]]:
        found: dict[tuple[str, str], list[float]] = {}
        states = coding.state_codes  # an unpaired state is not a moment
        for event in coding.events:
            if event.end is None and event.code not in states:
                found.setdefault((event.code, event.subject), []).append(event.time)
        return found

    points_a, points_b = points(a), points(b)
    per_code: dict[str, list[int]] = {}
    offsets: list[float] = []
    for key in sorted(set(points_a) | set(points_b)):
        xs, ys = points_a.get(key, []), points_b.get(key, [])
        pairs = match_points(xs, ys, tolerance)
        offsets.extend(abs(y - x) for x, y in pairs)
        row = per_code.setdefault(key[0], [0, 0, 0])
        row[0] += len(xs)
        row[1] += len(ys)
        row[2] += len(pairs)
    n_a = sum(r[0] for r in per_code.values())
    n_b = sum(r[1] for r in per_code.values())
    matched = len(offsets)
    total = n_a + n_b
    return PointAgreement(
        tolerance=tolerance,
        events_a=n_a,
        events_b=n_b,
        matched=matched,
        proportion=matched / (total - matched) if total else None,
        f1=2 * matched / total if total else None,
        mean_offset=math.fsum(offsets) / matched if matched else None,
        per_code={code: tuple(row) for code, row in per_code.items()},
    )


# --- Krippendorff's alpha (nominal) ----------------------------------------------------------------------------


def krippendorff_alpha_nominal(reliability_data) -> float | None:
    """Krippendorff's alpha for nominal data.

    ``reliability_data`` is a list of coders, each a list with one value per unit (None where the coder gave
    none). Only units with at least two values are pairable. With o_ck the coincidences of values c and k (each
    unit adds 1 / (m_u - 1) for every ordered pair of its m_u values from different coders), n_c = sum_k o_ck
    and n = sum_c n_c: alpha = 1 - (n - 1) * sum_{c != k} o_ck / sum_{c != k} n_c * n_k. Returns None when fewer
    than two values are pairable, and 1.0 when every pairable value is the same (no variation to disagree on).
    """
    coders = [list(row) for row in reliability_data]
    if not coders:
        return None
    width = len(coders[0])
    if any(len(row) != width for row in coders):
        raise ValueError("Every coder needs one value (or None) for each unit.")
    from fractions import Fraction

    coincidence: Counter = Counter()
    for unit_index in range(width):
        values = [row[unit_index] for row in coders if row[unit_index] is not None]
        m = len(values)
        if m < 2:
            continue
        counts = Counter(values)
        for c, n_c in counts.items():
            for k, n_k in counts.items():
                pairs = n_c * (n_k - 1) if c == k else n_c * n_k
                if pairs:
                    coincidence[(c, k)] += Fraction(pairs, m - 1)
    totals: Counter = Counter()
    for (c, _k), o in coincidence.items():
        totals[c] += o
    n = sum(totals.values())
    if n < 2:
        return None
    disagree = sum(o for (c, k), o in coincidence.items() if c != k)
    expected = n * n - sum(t * t for t in totals.values())
    if expected == 0:
        return 1.0
    return float(1 - (n - 1) * disagree / expected)


# --- intraclass correlation ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ICC:
    """Shrout and Fleiss's (1979) intraclass correlations for n targets each rated by the same k raters.

    ``icc1`` is ICC(1,1) (one-way random), ``icc2`` ICC(2,1) (two-way random, absolute agreement), ``icc3``
    ICC(3,1) (two-way mixed, consistency); each is None when undefined (zero denominator). The mean squares
    are kept for checking.
    """

    targets: int
    raters: int
    bms: float
    wms: float
    jms: float
    ems: float
    icc1: float | None
    icc2: float | None
    icc3: float | None


def icc(ratings) -> ICC:
    """ICC(1,1), ICC(2,1) and ICC(3,1) of a table of ratings: one row per target, one column per rater.

    With BMS, WMS, JMS and EMS the between-targets, within-target, between-raters and residual mean squares:
    ICC(1,1) = (BMS - WMS) / (BMS + (k-1) WMS); ICC(2,1) = (BMS - EMS) / (BMS + (k-1) EMS + k (JMS - EMS) / n);
    ICC(3,1) = (BMS - EMS) / (BMS + (k-1) EMS). Needs at least two targets and two raters, no value missing.
    """
    rows = [[float(x) for x in row] for row in ratings]
    n = len(rows)
    k = len(rows[0]) if rows else 0
    if n < 2 or k < 2 or any(len(row) != k for row in rows):
        raise ValueError("An ICC needs at least two targets, each rated by the same two or more raters.")
    if not all(math.isfinite(x) for row in rows for x in row):
        raise ValueError("Every rating must be a number.")
    grand = math.fsum(x for row in rows for x in row) / (n * k)
    row_means = [math.fsum(row) / k for row in rows]
    col_means = [math.fsum(row[j] for row in rows) / n for j in range(k)]
    ss_total = math.fsum((x - grand) ** 2 for row in rows for x in row)
    ss_rows = k * math.fsum((m - grand) ** 2 for m in row_means)
    ss_cols = n * math.fsum((m - grand) ** 2 for m in col_means)
    ss_error = max(0.0, ss_total - ss_rows - ss_cols)
    bms = ss_rows / (n - 1)
    wms = (ss_total - ss_rows) / (n * (k - 1))
    jms = ss_cols / (k - 1)
    ems = ss_error / ((n - 1) * (k - 1))

    def ratio(top: float, bottom: float) -> float | None:
        return top / bottom if bottom > 0 else None

    return ICC(
        targets=n,
        raters=k,
        bms=bms,
        wms=wms,
        jms=jms,
        ems=ems,
        icc1=ratio(bms - wms, bms + (k - 1) * wms),
        icc2=ratio(bms - ems, bms + (k - 1) * ems + k * (jms - ems) / n),
        icc3=ratio(bms - ems, bms + (k - 1) * ems),
    )

import math
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attunement.coding.model import DEFAULT_ETHOGRAM, Code, Coding, CodingFormatError, Ethogram, Event
from attunement.coding.stats import (
    agreement,
    code_stats,
    cohen_kappa,
    initiations,
    lag1_table,
    longest_chain,
    sequence,
    transitions,
    turn_chains,
    yules_q,
)

from .strategies import default_codings, default_events


def test_default_ethogram_shape():
    codes = DEFAULT_ETHOGRAM.codes
    assert len(codes) == 14
    assert {c.subject for c in codes} == {"learner", "partner"}
    assert len({c.shortcut for c in codes}) == 14 and all(c.shortcut for c in codes)
    states = {c.key for c in codes if c.kind == "state"}
    assert states == {"L-looks", "L-touches", "P-looks", "P-touches"}


def test_model_rejects_bad_values():
    with pytest.raises(CodingFormatError, match="before it starts"):
        Event(5.0, "x", end=4.0)
    with pytest.raises(CodingFormatError, match="not a number"):
        Event("soon", "x")
    with pytest.raises(CodingFormatError, match="twice"):
        Ethogram((Code("a", "A"), Code("a", "B")))
    with pytest.raises(CodingFormatError, match="kind"):
        Code("a", "A", kind="interval")


def test_code_stats_hand_worked():
    coding = Coding(
        DEFAULT_ETHOGRAM,
        (
            Event(0, "L-looks", "learner", 10),
            Event(20, "L-looks", "learner", 50),
            Event(5, "P-smiles", "partner"),
            Event(6, "P-smiles", "partner"),
        ),
        media_duration=120,
    )
    stats = code_stats(coding)
    looks = stats["L-looks"]
    assert (looks.count, looks.total_duration, looks.mean_duration) == (2, 40, 20)
    assert looks.proportion == pytest.approx(40 / 120)
    assert looks.rate_per_minute == pytest.approx(1.0)
    smiles = stats["P-smiles"]
    assert (smiles.count, smiles.total_duration, smiles.proportion) == (2, None, None)
    assert stats["L-touches"].count == 0 and stats["L-touches"].mean_duration is None


@st.composite
def sequential_coding(draw):
    """States laid end to end, so they never overlap: their time budgets must sum to at most 1."""
    t = draw(st.integers(0, 5000)) / 1000
    events = []
    for _ in range(draw(st.integers(0, 15))):
        code = draw(st.sampled_from([c for c in DEFAULT_ETHOGRAM.codes if c.kind == "state"]))
        end = t + draw(st.integers(0, 5000)) / 1000
        events.append(Event(t, code.key, code.subject, end))
        t = end + draw(st.integers(0, 3000)) / 1000
    return Coding(DEFAULT_ETHOGRAM, tuple(events), draw(st.none() | st.floats(0, 100)))


@given(sequential_coding())
def test_time_budget_sums_to_at_most_one(coding):
    stats = code_stats(coding)
    observed = coding.observed_time
    shares = [s.proportion for s in stats.values() if s.kind == "state"]
    if observed == 0:
        assert all(p is None for p in shares)
        return
    assert math.fsum(shares) <= 1 + 1e-9
    for key, s in stats.items():
        if s.kind == "state":
            total = math.fsum(e.end - e.time for e in coding.events if e.code == key)
            assert s.proportion == pytest.approx(total / observed)


def test_transitions_and_lag1_hand_worked():
    codes = ["A", "B", "A", "B", "C", "A", "A"]
    assert transitions(codes) == Counter({("A", "B"): 2, ("B", "A"): 1, ("B", "C"): 1, ("C", "A"): 1, ("A", "A"): 1})
    table = lag1_table(codes, "A", "B")
    # pairs: AB AB BA BC CA AA -> a=2 (AB), b=1 (AA), c=0, d=3 (BA BC CA)
    assert (table.a, table.b, table.c, table.d) == (2, 1, 0, 3)
    assert table.yules_q == 1.0
    assert yules_q(1, 2, 3, 4) == pytest.approx((4 - 6) / (4 + 6))
    assert yules_q(0, 3, 0, 4) is None  # ad + bc == 0


@given(st.lists(st.sampled_from("ABC"), max_size=30), st.sampled_from("ABC"), st.sampled_from("ABC"))
def test_lag1_matches_brute_force(codes, given_code, target):
    table = lag1_table(codes, given_code, target)
    cells = Counter()
    for i in range(len(codes) - 1):
        cells[(codes[i] == given_code, codes[i + 1] == target)] += 1
    assert (table.a, table.b, table.c, table.d) == (
        cells[(True, True)],
        cells[(True, False)],
        cells[(False, True)],
        cells[(False, False)],
    )
    ad, bc = table.a * table.d, table.b * table.c
    assert table.yules_q == (None if ad + bc == 0 else (ad - bc) / (ad + bc))
    if table.yules_q is not None:
        assert -1 <= table.yules_q <= 1


def test_chains_hand_worked():
    events = (
        Event(0.0, "L-vocalises", "learner"),
        Event(1.0, "P-imitates", "partner"),
        Event(2.5, "L-smiles", "learner"),
        Event(10.0, "P-vocalises", "partner"),  # too late: new chain
        Event(10.5, "P-smiles", "partner"),  # same subject: new chain
        Event(11.0, "L-smiles", "learner"),
        Event(11.2, "X", "someone else"),  # ignored
    )
    coding = Coding(Ethogram(), events)
    chains = turn_chains(coding, max_gap=2.0)
    assert [[e.code for e in c] for c in chains] == [
        ["L-vocalises", "P-imitates", "L-smiles"],
        ["P-vocalises"],
        ["P-smiles", "L-smiles"],
    ]
    assert [e.time for e in longest_chain(chains)] == [0.0, 1.0, 2.5]
    assert initiations(chains) == Counter({"learner": 1, "partner": 1})
    assert initiations(chains, min_length=1) == Counter({"learner": 1, "partner": 2})
    assert longest_chain([]) == ()


@given(default_events(), st.floats(0, 30))
def test_chains_match_brute_force(events, gap):
    coding = Coding(DEFAULT_ETHOGRAM, tuple(events))
    chains = turn_chains(coding, gap)
    ordered = list(coding.events)
    # Brute force: event i starts a chain unless event i-1 is by the other subject and within the gap.
    starts = [
        i == 0 or ordered[i - 1].subject == ordered[i].subject or ordered[i].time - ordered[i - 1].time > gap
        for i in range(len(ordered))
    ]
    expected, current = [], []
    for event, start in zip(ordered, starts, strict=True):
        if start and current:
            expected.append(tuple(current))
            current = []
        current.append(event)
    if current:
        expected.append(tuple(current))
    assert chains == expected
    assert sum(len(c) for c in chains) == len(ordered)
    longest = longest_chain(chains)
    assert len(longest) == max((len(c) for c in chains), default=0)
    for chain in chains:
        for x, y in zip(chain, chain[1:], strict=False):
            assert x.subject != y.subject and y.time - x.time <= gap


def test_kappa_hand_worked():
    # 10 units; A: 5 yes, B: 6 yes; agree on 4 yes + 3 no = 7 -> po .7, pe .5*.6+.5*.4=.5, kappa .4
    a = [1] * 5 + [0] * 5
    b = [1] * 4 + [0] + [1, 1] + [0] * 3
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    assert cohen_kappa(["x"] * 4, ["x"] * 4) == 1.0  # everyone agrees on one category
    assert cohen_kappa([], []) is None


def test_agreement_on_units():
    a = Coding(DEFAULT_ETHOGRAM, (Event(0, "L-looks", "learner", 4), Event(6.5, "P-smiles", "partner")), 10)
    b = Coding(DEFAULT_ETHOGRAM, (Event(0, "L-looks", "learner", 3), Event(6.2, "P-smiles", "partner")), 10)
    result = agreement(a, b, unit=1.0)
    assert result.n_units == 10
    # unit 3 differs: A has L-looks, B has nothing
    assert result.table[("L-looks", "(none)")] == 1
    assert result.table[("P-smiles", "P-smiles")] == 1
    assert result.observed_agreement == pytest.approx(0.9)
    assert result.per_code["P-smiles"] == 1.0
    assert result.per_code["L-touches"] == 1.0  # absent throughout for both
    assert result.per_code["L-looks"] == pytest.approx(cohen_kappa([1] * 4 + [0] * 6, [1] * 3 + [0] * 7))
    assert agreement(a, b, unit=0.5).n_units == 20


@settings(max_examples=60)
@given(default_codings(), st.sampled_from([0.5, 1.0, 2.5]))
def test_identical_codings_agree_perfectly(coding, unit):
    result = agreement(coding, coding, unit)
    assert result.overall == 1.0
    assert all(k == 1.0 for k in result.per_code.values())


@settings(max_examples=60)
@given(default_codings(), default_codings(), st.sampled_from([0.5, 1.0, 3.0]))
def test_kappa_symmetric_and_bounded(a, b, unit):
    ab, ba = agreement(a, b, unit), agreement(b, a, unit)
    assert ab.overall == pytest.approx(ba.overall)
    for key, value in ab.per_code.items():
        assert value == pytest.approx(ba.per_code[key])
        assert -1 - 1e-12 <= value <= 1 + 1e-12
    assert -1 - 1e-12 <= ab.overall <= 1 + 1e-12


@given(st.lists(st.tuples(st.sampled_from("abc"), st.sampled_from("abc")), min_size=1, max_size=40))
def test_kappa_bounded_on_any_labels(pairs):
    a, b = [p[0] for p in pairs], [p[1] for p in pairs]
    k = cohen_kappa(a, b)
    assert -1 <= k <= 1
    assert k == pytest.approx(cohen_kappa(b, a))


def test_sequence_filters_subjects():
    coding = Coding(DEFAULT_ETHOGRAM, (Event(1, "L-smiles", "learner"), Event(2, "P-smiles", "partner")))
    assert sequence(coding) == ["L-smiles", "P-smiles"]
    assert sequence(coding, ("partner",)) == ["P-smiles"]

"""Agreement measures researchers compare with other tools: BORIS's time-unit kappa (checked on BORIS's own test
project, with the values BORIS's test suite expects), agreement on point events within a tolerance,
Krippendorff's alpha (checked against the `krippendorff` package) and Shrout and Fleiss's ICCs (checked on their
published example)."""

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attunement.coding.boris import load_boris
from attunement.coding.model import Code, Coding, Ethogram, Event
from attunement.coding.stats import (
    UNPAIRED,
    agreement,
    boris_kappa,
    code_stats,
    icc,
    krippendorff_alpha_nominal,
    match_points,
    point_agreement,
    presence,
    subject_stats,
    turn_chains,
)

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference"
BOTH = ("subject1", "subject2")
ALL_THREE = ("", "subject1", "subject2")  # "" is BORIS's "No focal subject"


@pytest.fixture(scope="module")
def test_project():
    path = REFERENCE / "boris" / "test.boris"
    if not path.exists():
        pytest.skip("BORIS's test project is not here")
    return load_boris(path)


def oracle_kappa(xs, ys) -> float:
    """Cohen's kappa from the confusion matrix, written independently of the engine (as scikit-learn does)."""
    labels = sorted(set(xs) | set(ys))
    index = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)))
    for x, y in zip(xs, ys, strict=True):
        matrix[index[x], index[y]] += 1
    n = matrix.sum()
    observed = np.trace(matrix) / n
    expected = (matrix.sum(axis=0) * matrix.sum(axis=1)).sum() / n**2
    return (observed - expected) / (1 - expected)


def test_boris_kappa_matches_boris_test_suite(test_project):
    """BORIS's own tests expect K = -0.036 for observation #1 against #2 on behaviour s at 1 s units."""
    first, second = test_project["observation #1"], test_project["observation #2"]
    result = boris_kappa(first, second, 1.0, BOTH, ("s",))
    assert round(result.kappa, 3) == -0.036
    assert result.kappa == pytest.approx(oracle_kappa(result.labels_a, result.labels_b), abs=1e-12)
    # The app's own definition pools subjects and runs over the longest media: a different figure.
    assert round(agreement(first, second, 1.0).overall, 3) == 0.209


def test_boris_kappa_of_an_observation_with_itself_is_one(test_project):
    first = test_project["observation #1"]
    assert boris_kappa(first, first, 1.0, BOTH, ("s", "p")).kappa == 1


@pytest.mark.parametrize(
    ("codes", "unit", "expected"),
    [(("s",), 1.0, 0.988), (("s",), 3.0, 1.0), (("p",), 1.0, 0.866), (("p",), 3.0, 0.798)],
)
def test_boris_kappa_on_the_near_copy(test_project, codes, unit, expected):
    """The other kappas of BORIS's test suite: observation #2 against its edited copy, states and points."""
    result = boris_kappa(test_project["observation #2"], test_project["observation #2 (copy)"], unit, ALL_THREE, codes)
    assert round(result.kappa, 3) == expected
    assert result.kappa == pytest.approx(oracle_kappa(result.labels_a, result.labels_b), abs=1e-12)


def test_boris_kappa_without_events_is_none(test_project):
    result = boris_kappa(test_project["observation #2"], test_project["observation without events"], 1.0, ALL_THREE)
    assert result.kappa is None


def test_boris_units_hand_worked():
    """Interval from the first start (2 s) to the last stop (5 s); time points 2, 3, 4, 5; states include both
    ends; a point counts within half a unit, so the point at 3.5 counts at 3 and at 4."""
    ethogram = Ethogram((Code("s", "s", kind="state"), Code("p", "p")))
    a = Coding(ethogram, (Event(2.0, "s", "x", end=4.0), Event(3.5, "p", "y")))
    b = Coding(ethogram, (Event(3.0, "s", "x", end=5.0),))
    result = boris_kappa(a, b, 1.0, ("x", "y"))
    assert result.times == 4 and (result.start, result.end) == (2.0, 5.0)
    s, p = ("x", "s"), ("y", "p")
    assert result.labels_a == [(s,), (), (s,), (p,), (s,), (p,), (), ()]
    assert result.labels_b == [(), (), (s,), (), (s,), (), (s,), ()]
    # agreement 4 of 8; margins A: ()3 s3 p2, B: ()5 s3
    assert result.kappa == pytest.approx((8 * 4 - (3 * 5 + 3 * 3)) / (64 - (3 * 5 + 3 * 3)))


def test_boris_time_points_stop_where_borises_do():
    """BORIS steps from the first start in exact decimals while the time point is at most the last stop, a float:
    from 0.2 s in 0.5 s steps, 10.7 s is past the stop 10.7 (stored as 10.6999…), so there are 21 time points
    (0.2 … 10.2), not 22, and the coders agree on every one of them."""
    ethogram = Ethogram((Code("s", "s", kind="state"),))
    a = Coding(ethogram, (Event(0.2, "s", "x", end=10.7),))
    b = Coding(ethogram, (Event(0.2, "s", "x", end=10.2),))
    result = boris_kappa(a, b, 0.5, ("x",))
    assert result.times == 21
    assert result.kappa == 1.0


def test_a_time_on_a_unit_boundary_is_in_the_unit_it_starts():
    """6.6 s with 0.6 s units starts unit 11 (from 6.6 s), although 6.6 / 0.6 is 10.999… in binary floating point;
    and 1.6 s is within 0.6 s of 1.0 s."""
    ethogram = Ethogram((Code("p", "p"), Code("s", "s", kind="state")))
    coding = Coding(ethogram, (Event(6.6, "p", ""), Event(1.2, "s", "", end=2.4)), media_duration=7.2)
    units = presence(coding, 12, 0.6)
    assert [i for i, u in enumerate(units) if "p" in u] == [11]
    assert [i for i, u in enumerate(units) if "s" in u] == [2, 3]
    assert match_points([1.0], [1.6], 0.6) == [(1.0, 1.6)]


ROWS = st.lists(
    st.tuples(st.integers(0, 40), st.integers(0, 6), st.sampled_from("xy"), st.sampled_from("sp")), max_size=8
)


@settings(max_examples=60, deadline=None)
@given(ROWS, ROWS, st.sampled_from([0.5, 1.0, 2.0, 3.0]))
def test_boris_kappa_agrees_with_the_oracle(rows_a, rows_b, unit):
    ethogram = Ethogram((Code("s", "s", kind="state"), Code("p", "p")))

    def coding(rows):
        return Coding(
            ethogram, tuple(Event(t / 2, c, subj, end=(t + d) / 2 if c == "s" else None) for t, d, subj, c in rows)
        )

    a, b = coding(rows_a), coding(rows_b)
    result = boris_kappa(a, b, unit, ("x", "y"))
    if not a.events or not b.events:
        assert result.kappa is None
        return
    if len(set(result.labels_a) | set(result.labels_b)) == 1:
        assert result.kappa == 1.0
    else:
        assert result.kappa == pytest.approx(oracle_kappa(result.labels_a, result.labels_b), abs=1e-9)


def test_point_agreement_within_tolerance():
    ethogram = Ethogram((Code("p", "p"), Code("q", "q")))
    a = Coding(ethogram, (Event(1.0, "p"), Event(5.0, "p"), Event(9.0, "p"), Event(3.0, "q")))
    b = Coding(ethogram, (Event(1.4, "p"), Event(6.5, "p"), Event(9.9, "p"), Event(3.0, "q", "other")))
    result = point_agreement(a, b, tolerance=1.0)
    assert (result.events_a, result.events_b, result.matched) == (4, 4, 2)  # 1.0~1.4, 9.0~9.9; q has other subjects
    assert result.proportion == pytest.approx(2 / 6)
    assert result.f1 == pytest.approx(4 / 8)
    assert result.mean_offset == pytest.approx((0.4 + 0.9) / 2)
    assert result.per_code == {"p": (3, 3, 2), "q": (1, 1, 0)}
    assert point_agreement(a, b, tolerance=1.5).matched == 3
    assert point_agreement(a, a, tolerance=0).f1 == 1.0


def test_match_points_is_one_to_one_and_largest():
    # Two times of A near one time of B: only one may match it; the greedy walk still finds the best pairing.
    assert match_points([1.0, 1.5], [1.2], 0.5) == [(1.0, 1.2)]
    assert len(match_points([1.0, 2.0], [1.6, 2.5], 0.65)) == 2


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.lists(st.one_of(st.none(), st.sampled_from("abcd")), min_size=6, max_size=6), min_size=2, max_size=4)
)
def test_krippendorff_alpha_agrees_with_the_krippendorff_package(rows):
    krippendorff = pytest.importorskip("krippendorff")
    labels = {"a": 0, "b": 1, "c": 2, "d": 3}
    ours = krippendorff_alpha_nominal(rows)
    data = np.array([[np.nan if v is None else labels[v] for v in row] for row in rows], dtype=float)
    pairable = [sum(v is not None for v in col) for col in zip(*rows, strict=True)]
    values = {v for row in rows for v in row if v is not None}
    if sum(m for m in pairable if m >= 2) < 2 or len(values) < 2:
        return  # the package refuses (or divides by zero) where ours returns None or 1.0
    if len({row[i] for row in rows for i in range(6) if pairable[i] >= 2 and row[i] is not None}) < 2:
        return
    theirs = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert ours == pytest.approx(theirs, abs=1e-9)


def test_krippendorff_alpha_published_example():
    """Krippendorff's (2011) nominal example: 4 coders, 12 units, alpha = 0.743."""
    n = None
    data = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
        [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n],
    ]
    assert round(krippendorff_alpha_nominal(data), 3) == 0.743


def test_icc_shrout_fleiss_example():
    """Shrout and Fleiss (1979), table 2: six targets, four judges."""
    table = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
    result = icc(table)
    assert (round(result.bms, 2), round(result.wms, 2), round(result.jms, 2), round(result.ems, 2)) == (
        11.24,
        6.26,
        32.49,
        1.02,
    )
    assert (round(result.icc1, 2), round(result.icc2, 2), round(result.icc3, 2)) == (0.17, 0.29, 0.71)


def test_icc_refuses_too_little():
    with pytest.raises(ValueError, match="at least two targets"):
        icc([[1, 2]])


def test_per_subject_budget_transitions_and_yules_q():
    ethogram = Ethogram((Code("look", "look", kind="state"), Code("smile", "smile"), Code("call", "call")))
    events = [
        Event(0.0, "look", "mum", end=10.0),
        Event(1.0, "smile", "mum"),
        Event(2.0, "call", "mum"),
        Event(3.0, "smile", "mum"),
        Event(4.0, "call", "mum"),
        Event(5.0, "smile", "baby"),
    ]
    coding = Coding(ethogram, tuple(events), media_duration=20.0)
    mum = subject_stats(coding, "mum")
    assert mum.events == 5
    assert mum.codes["look"].proportion == pytest.approx(0.5)
    assert "smile" in mum.codes and mum.codes["smile"].count == 2
    by_pair = {(t.given, t.target): t for t in mum.transitions}
    assert by_pair[("smile", "call")].count == 2 and by_pair[("call", "smile")].count == 1
    # sequence look smile call smile call: smile->call a=2 b=0 c=0 d=2 -> Q = 1
    assert by_pair[("smile", "call")].yules_q == 1.0
    baby = subject_stats(coding, "baby")
    assert baby.events == 1 and baby.transitions == [] and list(baby.codes) == ["smile"]


def test_unpaired_state_is_reported_not_closed():
    ethogram = Ethogram((Code("look", "look", kind="state"),))
    coding = Coding(ethogram, (Event(2.0, "look", "mum", end=4.0), Event(6.0, "look", "mum")), media_duration=10.0)
    stats = code_stats(coding)["look"]
    assert stats.unpaired == 1 and stats.total_duration is None and stats.proportion is None
    assert subject_stats(coding, "mum").unpaired == [Event(6.0, "look", "mum")]
    assert UNPAIRED == "UNPAIRED"


def test_turn_chains_count_with_mapped_subjects(test_project):
    """BORIS subjects are not called learner and partner: mapped, their alternating events make chains."""
    coding = test_project["observation #2"]
    assert not turn_chains(coding, 30.0)  # nothing counts with the default subjects
    chains = turn_chains(coding, 30.0, ("subject1", "subject2"))
    assert any(len(chain) >= 2 for chain in chains)
    assert Counter(e.subject for chain in chains for e in chain) == Counter(
        e.subject for e in coding.events if e.subject in ("subject1", "subject2")
    )


def test_command_line_kappa_by_boris_definition(test_project, capsys):
    from attunement.coding import cli

    path = str(REFERENCE / "boris" / "test.boris")
    argv = ["kappa", path, path, "--observation-a", "observation #1", "--observation-b", "observation #2"]
    assert cli.main([*argv, "--boris", "--subject", "subject1", "--subject", "subject2", "--code", "s"]) == 0
    assert "kappa (BORIS's definition): -0.036" in capsys.readouterr().out
    assert cli.main(argv) == 0
    assert "kappa (combined labels): 0.209" in capsys.readouterr().out

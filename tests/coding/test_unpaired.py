"""A state started and never stopped ("UNPAIRED", BORIS's word) stays open everywhere: read from BORIS, counted
in the statistics, written back to BORIS and CSV, refused (or left out, when asked, and listed) by the ELAN
export and refused by name by every agreement measure, as BORIS leaves such observations out of its kappa.

The real files are BORIS's own test project (`../shared/reference/boris/test.boris`): its observation "live not
paired" has seven rows of the state "s"; "observation #2" is used with one stop row taken out."""

import json
import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attunement.coding.boris import dumps_boris, load_boris, loads_boris, read_boris_project
from attunement.coding.csvio import dumps_csv, loads_csv
from attunement.coding.elan import dumps_eaf, loads_eaf
from attunement.coding.model import DEFAULT_ETHOGRAM, Coding, CodingFormatError, Event, UnpairedStates
from attunement.coding.stats import (
    UNPAIRED,
    agreement,
    boris_kappa,
    code_stats,
    point_agreement,
    subject_stats,
)

from .strategies import default_events, ms

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference"
TEST_BORIS = REFERENCE / "boris" / "test.boris"
needs_reference = pytest.mark.skipif(not TEST_BORIS.exists(), reason=f"reference file not found at {TEST_BORIS}")


def project_with_a_stop_removed() -> tuple[dict, list]:
    """BORIS's test project with the last row of observation #2 (subject2 stops "s" at 320.365 s) taken out."""
    project = json.loads(TEST_BORIS.read_text())
    rows = project["observations"]["observation #2"]["events"]
    removed = rows.pop()
    assert removed[:3] == [320.365, "subject2", "s"]
    return project, removed


# --- read from BORIS -------------------------------------------------------------------------------------------


@needs_reference
def test_live_not_paired_keeps_its_last_s_open_and_reports_it_as_boris_does():
    rows = json.loads(TEST_BORIS.read_text())["observations"]["live not paired"]["events"]
    coding = load_boris(TEST_BORIS)["live not paired"]
    s_rows = [r[0] for r in rows if r[2] == "s"]
    assert len(s_rows) == 7
    # three s states from their start row to their stop row, and the seventh row a start never stopped
    assert [(e.time, e.end) for e in coding.events if e.code == "s"] == [
        (s_rows[0], s_rows[1]),
        (s_rows[2], s_rows[3]),
        (s_rows[4], s_rows[5]),
        (s_rows[6], None),
    ]
    assert coding.unpaired == (Event(26.862, "s"),)
    assert coding.ethogram.get("s").kind == "state" and coding.kind_of(coding.unpaired[0]) == "state"
    stats = code_stats(coding)
    assert stats["s"].is_unpaired and stats["s"].unpaired == 1 and stats["s"].count == 4
    assert stats["s"].total_duration is None and stats["s"].mean_duration is None and stats["s"].proportion is None
    # the point events beside it are counted as before: 5 moments in 26.862 s observed (to the last event)
    assert coding.observed_time == 26.862
    assert stats["p"].count == 5 and stats["p"].rate_per_minute == pytest.approx(5 / (26.862 / 60))
    assert not stats["p"].is_unpaired
    assert subject_stats(coding, "").unpaired == [Event(26.862, "s")]
    assert UNPAIRED == "UNPAIRED"


@needs_reference
def test_a_stop_taken_out_of_a_real_observation_leaves_that_subject_unpaired_and_the_others_untouched():
    project, _ = project_with_a_stop_removed()
    whole = load_boris(TEST_BORIS)["observation #2"]
    cut = read_boris_project(project)["observation #2"]
    assert cut.unpaired == (Event(317.39, "s", "subject2"),)
    assert len(cut.events) == len(whole.events)  # the open start is kept, not dropped
    before, after = code_stats(whole, "subject2"), code_stats(cut, "subject2")
    assert not before["s"].is_unpaired and before["s"].total_duration == pytest.approx(5.85 + 2.975)
    assert after["s"].is_unpaired and after["s"].total_duration is None and after["s"].proportion is None
    assert after["p"] == before["p"]  # subject2's moments are unaffected
    for subject in ("subject1", ""):  # nor are the other people's figures of the same code
        assert code_stats(cut, subject) == code_stats(whole, subject)
    assert code_stats(cut, "subject1")["s"].total_duration == pytest.approx(10.525 + 13.25)


# --- written back: BORIS, CSV, ELAN ----------------------------------------------------------------------------


@needs_reference
def test_boris_round_trip_keeps_the_state_unpaired():
    coding = load_boris(TEST_BORIS)["live not paired"]
    written = json.loads(dumps_boris(coding))
    (observation,) = written["observations"].values()
    assert [r[0] for r in observation["events"] if r[2] == "s"] == [
        r[0] for r in json.loads(TEST_BORIS.read_text())["observations"]["live not paired"]["events"] if r[2] == "s"
    ]  # seven rows again: the last a start alone
    again = loads_boris(json.dumps(written))["live not paired"]
    assert again == coding and again.unpaired == coding.unpaired

    project, _ = project_with_a_stop_removed()
    cut = read_boris_project(project)["observation #2"]
    again = loads_boris(dumps_boris(cut))["observation #2"]
    assert again == cut and again.unpaired == (Event(317.39, "s", "subject2"),)


def test_boris_export_refuses_a_state_started_again_while_one_is_open():
    coding = Coding(
        DEFAULT_ETHOGRAM, (Event(1.0, "L-looks", "learner"), Event(5.0, "L-looks", "learner", 8.0)), media_duration=10
    )
    with pytest.raises(CodingFormatError, match="from 1 s is never stopped, but the same state starts again at 5 s"):
        dumps_boris(coding)
    overlapping = Coding(DEFAULT_ETHOGRAM, (Event(1.0, "L-looks", "learner", 9.0), Event(5.0, "L-looks", "learner")))
    with pytest.raises(CodingFormatError, match="overlapping"):
        dumps_boris(overlapping)


@needs_reference
def test_csv_round_trip_keeps_the_state_open_with_an_empty_stop():
    coding = load_boris(TEST_BORIS)["live not paired"]
    text = dumps_csv(coding)
    last = text.strip().splitlines()[-1]
    assert last == "26.862,,s,state,,,,"  # a state, with no end and no duration
    assert loads_csv(text, coding.ethogram, coding.media_duration, coding.observer, coding.title) == coding.__class__(
        coding.ethogram, coding.events, coding.media_duration, coding.observer, coding.title
    )
    alone = loads_csv(text)  # no ethogram given, as when a CSV file is uploaded: the row's kind decides
    assert alone.events == coding.events and alone.unpaired == (Event(26.862, "s"),)
    assert alone.ethogram.get("s").kind == "state" and alone.ethogram.get("p").kind == "point"


def test_csv_refuses_an_open_state_of_a_code_the_ethogram_calls_a_moment():
    with pytest.raises(CodingFormatError, match="the ethogram does not have 'L-smiles' as a state"):
        loads_csv("time,subject,code,kind\n1,learner,L-smiles,state\n", DEFAULT_ETHOGRAM)


@needs_reference
def test_elan_export_refuses_unless_asked_to_leave_them_out_and_then_lists_them(tmp_path):
    pympi = pytest.importorskip("pympi")
    coding = load_boris(TEST_BORIS)["live not paired"]
    with pytest.raises(UnpairedStates) as refused:
        dumps_eaf(coding)
    assert "started and never stopped (UNPAIRED, as BORIS says): s (no subject) from 26.862 s" in refused.value.message
    assert refused.value.events == (Event(26.862, "s"),)
    text = dumps_eaf(coding, leave_out_unpaired=True)
    path = tmp_path / "left-out.eaf"
    path.write_text(text, encoding="utf-8")
    eaf = pympi.Elan.Eaf(str(path))  # another program opens it
    s_annotations = eaf.get_annotation_data_for_tier("s")
    assert len(s_annotations) == 3 and all(end > start for start, end, *_ in s_annotations)
    assert 26862 not in eaf.timeslots.values()  # no annotation, of any length, for the open state
    assert sum(len(eaf.get_annotation_data_for_tier(t)) for t in eaf.tiers) == len(coding.events) - 1
    assert json.loads(dict(eaf.properties)["attunement:unpaired"]) == [[26.862, "s", "", [], ""]]
    again = loads_eaf(text)  # read back here, the open state comes back open
    assert again.unpaired == coding.unpaired and again.events == coding.events


def test_elan_refuses_a_listed_unpaired_state_of_a_moment():
    coding = Coding(DEFAULT_ETHOGRAM, (Event(1.0, "L-looks", "learner"),))
    text = dumps_eaf(coding, leave_out_unpaired=True)
    broken = text.replace('"L-looks", "learner"', '"L-smiles", "learner"').replace(
        "[[1.0, &quot;L-looks&quot;", "[[1.0, &quot;L-smiles&quot;"
    )
    assert broken != text
    with pytest.raises(CodingFormatError, match="names a code that is not a state"):
        loads_eaf(broken)


# --- agreement -------------------------------------------------------------------------------------------------


@needs_reference
def test_every_time_unit_measure_refuses_by_name_and_the_moments_still_match():
    codings = load_boris(TEST_BORIS)
    open_one, closed = codings["live not paired"], codings["live"]
    for measure in (lambda: boris_kappa(open_one, closed), lambda: agreement(open_one, closed)):
        with pytest.raises(UnpairedStates) as refused:
            measure()
        assert "“live not paired”: s (no subject) from 26.862 s" in refused.value.message
        assert "BORIS" in refused.value.message
    with pytest.raises(UnpairedStates):
        boris_kappa(closed, open_one, codes=("s",))
    # comparing only the moments needs no state's end
    assert boris_kappa(open_one, open_one, codes=("p",)).kappa == 1.0
    points = point_agreement(open_one, closed, 1.0)
    assert points.per_code.keys() == {"p"}  # the open s is not taken for a moment


@needs_reference
def test_boris_kappa_of_the_other_people_is_still_worked_out():
    project, _ = project_with_a_stop_removed()
    cut = read_boris_project(project)["observation #2"]
    one = load_boris(TEST_BORIS)["observation #1"]
    with pytest.raises(UnpairedStates, match=r"s \(subject2\) from 317.39 s"):
        boris_kappa(one, cut, subjects=("subject1", "subject2"), codes=("s",))
    whole = load_boris(TEST_BORIS)["observation #2"]
    assert (
        boris_kappa(one, cut, subjects=("subject1",), codes=("s",)).kappa
        == boris_kappa(one, whole, subjects=("subject1",), codes=("s",)).kappa
    )


# --- any coding with states left open --------------------------------------------------------------------------

STATE_CODES = [code for code in DEFAULT_ETHOGRAM.codes if code.kind == "state"]


@st.composite
def codings_with_open_states(draw):
    """A default-ethogram coding and the events left open: after its closed events, some state codes get one
    more start with no stop (the last of that code, as BORIS toggles require: strictly after the code's last stop,
    since a start at the very time of a stop could be read as that stop)."""
    events = draw(default_events())
    left_open = []
    for code in draw(st.lists(st.sampled_from(STATE_CODES), unique_by=lambda c: c.key, max_size=len(STATE_CODES))):
        latest = max((e.end for e in events if e.code == code.key), default=-0.001)
        start = max(round(latest + 0.001, 3), draw(ms))
        left_open.append(Event(start, code.key, code.subject, None, comment=draw(st.sampled_from(["", "no stop"]))))
    coding = Coding(DEFAULT_ETHOGRAM, tuple(events + left_open), draw(st.none() | ms), "coder", "title")
    return coding, left_open


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=codings_with_open_states())
def test_states_left_open_are_counted_never_closed_and_survive_every_file(drawn, tmp_path):
    coding, left_open = drawn
    assert Counter(coding.unpaired) == Counter(left_open)
    stats = code_stats(coding)
    assert sum(s.unpaired for s in stats.values()) == len(left_open)
    for key, s in stats.items():
        opened = sum(1 for e in left_open if e.code == key)
        assert s.unpaired == opened and s.is_unpaired == bool(opened)
        assert (s.total_duration is None) == (s.kind == "point" or bool(opened))
        assert s.count == sum(1 for e in coding.events if e.code == key)
    for subject in ("learner", "partner"):
        assert Counter(subject_stats(coding, subject).unpaired) == Counter(e for e in left_open if e.subject == subject)
    # files: BORIS and CSV keep them open; ELAN lists them and gives them back
    again = loads_boris(dumps_boris(coding))["title"]
    assert again.events == coding.events and again.ethogram == coding.ethogram and again.unpaired == coding.unpaired
    assert loads_csv(dumps_csv(coding), DEFAULT_ETHOGRAM, coding.media_duration, "coder", "title") == coding
    if left_open:
        with pytest.raises(UnpairedStates):
            dumps_eaf(coding)
        with pytest.raises(UnpairedStates):
            agreement(coding, coding)
        with pytest.raises(UnpairedStates):
            boris_kappa(coding, coding)
    text = dumps_eaf(coding, leave_out_unpaired=True)
    assert loads_eaf(text) == coding
    pympi = pytest.importorskip("pympi")
    path = tmp_path / f"open-{time.monotonic_ns()}.eaf"
    path.write_text(text, encoding="utf-8")
    eaf = pympi.Elan.Eaf(str(path))
    annotations = sum(len(eaf.get_annotation_data_for_tier(t)) for t in eaf.tiers)
    assert annotations == len(coding.events) - len(left_open)

"""The typed analysis result: stored as JSON and read back, runs stored by engine 1.0 still read, and every
decision (beyond chance, who led, how strongly each window stands above chance) made by the engine."""

import json
import types
import typing
from dataclasses import fields, is_dataclass, replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attunement.analysis import synchrony
from attunement.analysis.result import FORMAT, AnalysisResult, UnreadableResult

# What engine 1.0.0 stored for a 40 s film in which the partner repeats the learner's movements 1 s later and
# two voices take turns: written by that engine (before results were typed), kept as it was stored.
STORED_1_0 = Path(__file__).parent / "data" / "stored-engine-1.0.0.json"


def stored_1_0() -> dict:
    return json.loads(STORED_1_0.read_text())


# --- Round trip ------------------------------------------------------------------------------------------------

numbers = st.floats(allow_nan=False, allow_infinity=False, width=64)
json_leaves = st.none() | st.booleans() | st.integers(-(10**6), 10**6) | numbers | st.text(max_size=8)
json_values = st.recursive(
    json_leaves,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


def strategy(kind):
    """Values of any type the result is made of, read from its type hints (so a new field is covered too)."""
    if is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        return st.builds(kind, **{f.name: strategy(hints[f.name]) for f in fields(kind)})
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(st.none() if a is type(None) else strategy(a) for a in args))
    if origin is tuple:
        return st.lists(strategy(args[0]), max_size=4).map(tuple)
    if origin is dict:
        return st.dictionaries(st.text(max_size=8), json_values, max_size=3)
    return {float: numbers, int: st.integers(-(10**9), 10**9), str: st.text(max_size=12), bool: st.booleans()}[kind]


@settings(max_examples=150, deadline=None)
@given(strategy(AnalysisResult))
def test_any_result_is_stored_as_plain_json_and_read_back_the_same(result):
    stored = json.loads(json.dumps(result.to_json(), allow_nan=False))
    assert stored["format"] == FORMAT
    assert AnalysisResult.from_json(stored) == result


def test_a_real_result_reads_back_the_same(analysed):
    result = analysed("learner_leads")
    stored = json.loads(json.dumps(result.to_json(), allow_nan=False))
    assert AnalysisResult.from_json(stored) == result


# --- Runs stored by engine 1.0 ------------------------------------------------------------------------------------


def test_a_run_stored_by_engine_1_0_is_read_with_the_decisions_it_did_not_carry():
    old = stored_1_0()
    assert "format" not in old and old["engine_version"] == "1.0.0"
    result = AnalysisResult.from_json(old)
    assert result.engine_version == "1.0.0"  # still said to be measured by the engine that measured it
    sync = result.synchrony
    assert sync.p_value == old["synchrony"]["p_value"] and sync.beyond_chance is True
    assert sync.leader == "learner" and sync.follow_delay_s == pytest.approx(1.0, abs=0.2)
    assert [w.peak_z for w in sync.windows] == [w["peak_z"] for w in old["synchrony"]["windows"]]
    assert {w.strength for w in sync.windows} <= {"high", "mid", "low", "none"}
    assert [s.speaker for s in result.vocal.segments] == [s["speaker"] for s in old["vocal"]["segments"]]
    assert result.motion.learner.values == tuple(old["motion"]["learner"]["values"])
    assert (result.parameters.preset, result.parameters.window_s) == ("short", 30.0)
    assert result.parameters.details["synchrony"]["surrogates"] == old["parameters"]["synchrony"]["surrogates"]
    # Read once, it is stored in today's format and reads back the same.
    assert AnalysisResult.from_json(result.to_json()) == result


@pytest.mark.parametrize(
    "p_value, beyond",
    [(0.0196, True), (0.05, True), (0.0501, False), (None, False)],
)
def test_an_old_run_is_judged_by_the_engine_s_one_rule_for_chance(p_value, beyond):
    old = stored_1_0()
    old["synchrony"]["p_value"] = p_value
    assert AnalysisResult.from_json(old).synchrony.beyond_chance is beyond
    assert synchrony.beyond_chance(p_value) is beyond  # the same rule the engine applies to a new run


def test_whoever_led_the_other_followed_after_a_positive_delay():
    old = stored_1_0()
    old["synchrony"].update(leader="partner", best_lag_s=-1.3)
    assert AnalysisResult.from_json(old).synchrony.follow_delay_s == pytest.approx(1.3)
    old["synchrony"].update(leader="neither", best_lag_s=0.1)
    assert AnalysisResult.from_json(old).synchrony.follow_delay_s is None


def test_window_strength_is_measured_against_the_same_window_in_the_surrogates():
    from attunement.analysis.result import window_strength

    assert window_strength(0.01, 0.03) == "high"  # beyond chance even allowing for the number of windows
    assert window_strength(0.01, 0.2) == "mid"  # beyond chance for this window alone
    assert window_strength(0.3, 1.0) == "low"
    assert window_strength(None, None) == "none"


def test_runs_of_engines_1_0_and_1_1_read_without_the_strengths_they_got_wrong(analysed):
    """Engines 1.0 and 1.1 compared each window with the spread of the surrogates' whole-video mean (nearly every
    window "high"); their runs are still read, everything as stored but each window's strength: "none"."""
    old = stored_1_0()
    old["synchrony"].update(surrogate_mean_z=0.2, surrogate_sd_z=0.1)
    assert {w.strength for w in AnalysisResult.from_json(old).synchrony.windows} == {"none"}
    new = analysed("learner_leads")
    stored_1_1 = json.loads(json.dumps(new.to_json()))
    stored_1_1.update(format=2, engine_version="1.1.0")
    for window in stored_1_1["synchrony"]["windows"]:
        for key in ("chance_mean_z", "chance_sd_z", "score", "p_value", "adjusted_p_value"):
            del window[key]
        window["strength"] = "high"
    read = AnalysisResult.from_json(stored_1_1)
    assert {w.strength for w in read.synchrony.windows} == {"none"}
    assert [w.peak_z for w in read.synchrony.windows] == [w.peak_z for w in new.synchrony.windows]
    assert read.moments == new.moments and read.vocal == new.vocal and read.synchrony.p_value == new.synchrony.p_value
    assert AnalysisResult.from_json(read.to_json()) == read  # stored again in today's format


# --- What cannot be read ----------------------------------------------------------------------------------------


def _without_synchrony():
    old = stored_1_0()
    del old["synchrony"]
    return old


def _a_later_format():
    new = AnalysisResult.from_json(stored_1_0()).to_json()
    new["format"] = FORMAT + 1
    return new


def _a_bad_number():
    new = AnalysisResult.from_json(stored_1_0()).to_json()
    new["video"]["width"] = "wide"
    return new


@pytest.mark.parametrize(
    "stored",
    [None, [], "text", {"in_step": 0.42}, {"engine_version": "0.9.0"}, _without_synchrony(), _a_later_format()]
    + [_a_bad_number()],
    ids=["none", "list", "text", "unknown", "earlier", "no-synchrony", "later-format", "bad-number"],
)
def test_a_shape_no_reader_knows_asks_for_a_new_measurement(stored):
    with pytest.raises(UnreadableResult) as unreadable:
        AnalysisResult.from_json(stored)
    assert "older version of the analysis" in str(unreadable.value)
    assert "measure the video again" in str(unreadable.value)


# --- The figures read first -------------------------------------------------------------------------------------


def test_the_headline_counts_exchanges_with_the_reviewer_s_corrections():
    result = AnalysisResult.from_json(stored_1_0())
    before = result.headline()
    assert before.exchanges == result.vocal.exchanges > 0 and before.beyond_chance and before.leader == "learner"
    everyone_partner = {str(i): "partner" for i in range(len(result.vocal.segments))}
    after = result.headline(everyone_partner)
    assert after.exchanges == 0 and after.learner_voice_share == 0 and after.longest_chain == 1
    corrected = result.corrected_segments({0: "partner", 999: "learner"})
    assert corrected[0].corrected and corrected[0].speaker == "partner" and not corrected[1].corrected
    assert replace(corrected[0], speaker=result.vocal.segments[0].speaker, corrected=False) == result.vocal.segments[0]

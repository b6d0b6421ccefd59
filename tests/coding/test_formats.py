import json
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings

from attunement.coding import cli
from attunement.coding.boris import dumps_boris, load_boris, loads_boris
from attunement.coding.csvio import dumps_csv, loads_csv
from attunement.coding.elan import dumps_eaf, load_eaf, loads_eaf
from attunement.coding.model import DEFAULT_ETHOGRAM, Coding, CodingFormatError, Event

from .strategies import default_codings

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference"
BORIS_FILES = sorted((REFERENCE / "boris").glob("*.boris"))
ELAN_FILES = sorted((REFERENCE / "elan").glob("*.eaf"))
needs_reference = pytest.mark.skipif(not REFERENCE.is_dir(), reason=f"reference files not found at {REFERENCE}")


# --- real BORIS files ----------------------------------------------------------------------------------------


@needs_reference
@pytest.mark.parametrize("path", BORIS_FILES, ids=lambda p: p.name)
def test_real_boris_file_matches_its_json(path):
    project = json.loads(path.read_text())
    kinds = {b["code"]: b["type"] for b in project["behaviors_conf"].values()}
    codings = load_boris(path)
    assert list(codings) == list(project["observations"])
    for obs_id, observation in project["observations"].items():
        coding = codings[obs_id]
        rows = observation["events"]
        points = [r for r in rows if kinds[r[2]] == "Point event"]
        states = Counter((r[1], r[2]) for r in rows if kinds[r[2]] == "State event")
        # a state with an odd number of rows ends open: one unpaired state, never closed
        assert sum(1 for e in coding.events if e.code not in coding.state_codes) == len(points)
        assert sum(1 for e in coding.events if e.end is not None) == sum(n // 2 for n in states.values())
        assert Counter((e.subject, e.code) for e in coding.unpaired) == {k: 1 for k, n in states.items() if n % 2}
        # every stored time is an event start or end
        seen = Counter()
        for e in coding.events:
            seen[(e.subject, e.code, e.time)] += 1
            if e.end is not None:
                seen[(e.subject, e.code, e.end)] += 1
        for r in rows:
            assert seen[(r[1], r[2], r[0])] >= 1
        assert {e.code for e in coding.events} == {r[2] for r in rows}
        # round trip through our BORIS export, CSV and ELAN
        assert loads_boris(dumps_boris(coding))[obs_id] == coding
        from_csv = loads_csv(dumps_csv(coding), coding.ethogram, coding.media_duration, coding.observer, obs_id)
        assert from_csv == replace(coding, media=())  # CSV holds events only


@needs_reference
def test_real_boris_details():
    codings = load_boris(REFERENCE / "boris" / "test.boris")
    modifiers = codings["modifiers"]
    assert [(e.code, e.time, e.end, e.modifiers) for e in modifiers.events] == [
        ("q", 8.475, None, ("m1",)),
        ("q", 12.35, None, ("m2",)),
        ("q", 15.65, None, ("m3",)),
        ("r", 19.175, 27.95, ("m1",)),
        ("r", 30.425, 40.825, ("None",)),
    ]
    assert modifiers.media_duration == 179.96
    assert codings["live"].media_duration is None
    # 7 toggles of 's' in "live not paired": the last start is never stopped, and stays so (BORIS: UNPAIRED)
    unpaired = codings["live not paired"]
    rows = json.loads((REFERENCE / "boris" / "test.boris").read_text())["observations"]["live not paired"]["events"]
    last_s = [r[0] for r in rows if r[2] == "s"][-1]
    assert unpaired.unpaired == (Event(last_s, "s"),)
    assert [e for e in unpaired.events if e.code == "s"][-1] == Event(26.862, "s", "", None)
    assert unpaired.kind_of(unpaired.unpaired[0]) == "state" and unpaired.ethogram.get("s").kind == "state"
    spaces = load_boris(REFERENCE / "boris" / "test_with_leading_trailing_spaces_in_modifiers.boris")["test1 live"]
    assert [e.modifiers for e in spaces.events] == [("a   ", "c "), ("a   ", "None"), ("None", "111"), ("None", "c ")]


# --- real ELAN files -----------------------------------------------------------------------------------------


@needs_reference
@pytest.mark.parametrize("path", ELAN_FILES, ids=lambda p: p.name)
def test_real_elan_file_matches_its_xml(path):
    root = ET.parse(path).getroot()
    slots = {s.get("TIME_SLOT_ID"): s.get("TIME_VALUE") for s in root.iter("TIME_SLOT")}
    tiers = root.findall("TIER")
    coding = load_eaf(path)
    assert coding.ethogram.keys == tuple(t.get("TIER_ID") for t in tiers)
    per_tier = Counter(e.code for e in coding.events)
    for tier in tiers:
        assert per_tier[tier.get("TIER_ID")] == len(tier.findall("ANNOTATION"))
    assert len(coding.events) == sum(len(t.findall("ANNOTATION")) for t in tiers)
    spans = Counter((e.code, e.time, e.end) for e in coding.events)
    aligned = 0
    for tier in tiers:
        for ann in tier.iter("ALIGNABLE_ANNOTATION"):
            v1, v2 = slots[ann.get("TIME_SLOT_REF1")], slots[ann.get("TIME_SLOT_REF2")]
            if v1 is not None and v2 is not None:
                aligned += 1
                assert spans[(tier.get("TIER_ID"), int(v1) / 1000, int(v2) / 1000)] >= 1
    assert aligned > 0
    assert all(e.end is not None and e.end >= e.time for e in coding.events)
    # referring annotations share their parent's times: words-pos -> words-symsub -> text
    by_id = {}
    for tier in tiers:
        for ann in tier.iter("ANNOTATION"):
            by_id[ann[0].get("ANNOTATION_ID")] = ann[0]
    first_ref = next(root.iter("REF_ANNOTATION"))
    parent = by_id[first_ref.get("ANNOTATION_REF")]
    while parent.tag == "REF_ANNOTATION":
        parent = by_id[parent.get("ANNOTATION_REF")]
    if slots[parent.get("TIME_SLOT_REF1")] is not None:
        value = first_ref.findtext("ANNOTATION_VALUE") or ""
        start = int(slots[parent.get("TIME_SLOT_REF1")]) / 1000
        assert any(e.time == start and "|".join(e.modifiers) == value for e in coding.events)
    assert loads_eaf(dumps_eaf(coding)) == coding


@needs_reference
def test_real_elan_counts():
    coding = load_eaf(REFERENCE / "elan" / "sample_3.0.eaf")
    assert len(coding.events) == 8778
    assert Counter(e.code for e in coding.events) == {
        "text": 399,
        "words-timesub": 1995,
        "words-symsub": 1995,
        "gestures": 1197,
        "gest_included": 1197,
        "words-pos": 1995,
    }
    other = load_eaf(REFERENCE / "elan" / "sample_2.7.eaf")
    assert [(e.code, e.time, e.end) for e in other.events] == [(e.code, e.time, e.end) for e in coding.events]


@needs_reference
def test_real_elan_unaligned_slots_follow_their_chain():
    # ELAN lists ts39..ts42 (unaligned) between two 8000 ms slots, but the words-timesub annotations chain
    # ts38 (8000) -> ts39 -> ts40 -> ts41 -> ts42 -> ts55 (11000): five equal parts of 600 ms.
    coding = load_eaf(REFERENCE / "elan" / "sample_3.0.eaf")
    words = [(e.time, e.end) for e in coding.events if e.code == "words-timesub" and 8.0 <= e.time < 11.0]
    assert words == [(8.0, 8.6), (8.6, 9.2), (9.2, 9.8), (9.8, 10.4), (10.4, 11.0)]
    assert all(e.end > e.time for e in coding.events if e.code == "words-timesub")


def test_unaligned_slots_are_interpolated():
    eaf = """<?xml version="1.0"?><ANNOTATION_DOCUMENT AUTHOR="me"><HEADER TIME_UNITS="milliseconds"/>
    <TIME_ORDER><TIME_SLOT TIME_SLOT_ID="t1" TIME_VALUE="1000"/><TIME_SLOT TIME_SLOT_ID="t2"/>
    <TIME_SLOT TIME_SLOT_ID="t3"/><TIME_SLOT TIME_SLOT_ID="t4" TIME_VALUE="4000"/></TIME_ORDER>
    <TIER TIER_ID="w" PARTICIPANT="learner">
      <ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a1" TIME_SLOT_REF1="t1" TIME_SLOT_REF2="t2">
        <ANNOTATION_VALUE>one</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION>
      <ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a2" TIME_SLOT_REF1="t3" TIME_SLOT_REF2="t4">
        <ANNOTATION_VALUE></ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION></TIER>
    <TIER TIER_ID="r" PARENT_REF="w"><ANNOTATION><REF_ANNOTATION ANNOTATION_ID="a3" ANNOTATION_REF="a2">
      <ANNOTATION_VALUE>x</ANNOTATION_VALUE></REF_ANNOTATION></ANNOTATION></TIER></ANNOTATION_DOCUMENT>"""
    coding = loads_eaf(eaf)
    assert [(e.code, e.subject, e.time, e.end, e.modifiers) for e in coding.events] == [
        ("w", "learner", 1.0, 2.0, ("one",)),
        ("r", "", 3.0, 4.0, ("x",)),
        ("w", "learner", 3.0, 4.0, ()),
    ]
    assert coding.observer == "me"
    # chained: a1 t1 -> t2, a2 t2 -> t3 (unaligned t2 in the middle of the chain, listed after t3)
    chained = eaf.replace('TIME_SLOT_REF1="t3" TIME_SLOT_REF2="t4"', 'TIME_SLOT_REF1="t2" TIME_SLOT_REF2="t4"')
    assert [(e.time, e.end) for e in loads_eaf(chained).events if e.code == "w"] == [(1.0, 2.5), (2.5, 4.0)]


# --- round trips of generated codings ------------------------------------------------------------------------


@settings(max_examples=50)
@given(default_codings())
def test_round_trips(coding):
    title = coding.title or "observation"
    placeholder = ("media",) if coding.media_duration is not None else ()  # a length with no file name
    assert loads_boris(dumps_boris(coding))[title] == Coding(
        coding.ethogram, coding.events, coding.media_duration, coding.observer, title, placeholder
    )
    assert loads_eaf(dumps_eaf(coding)) == coding
    assert loads_csv(dumps_csv(coding), coding.ethogram, coding.media_duration, coding.observer, coding.title) == coding


def test_boris_export_refuses_overlapping_states():
    coding = Coding(DEFAULT_ETHOGRAM, (Event(0, "L-looks", "learner", 5), Event(2, "L-looks", "learner", 7)))
    with pytest.raises(CodingFormatError, match="overlapping"):
        dumps_boris(coding)


def test_elan_export_writes_a_tier_for_a_code_coded_for_another_subject():
    coding = Coding(DEFAULT_ETHOGRAM, (Event(0, "L-looks", "partner", 5), Event(6, "L-looks", "learner", 7)))
    root = ET.fromstring(dumps_eaf(coding).encode())
    tiers = {t.get("TIER_ID"): t.get("PARTICIPANT") for t in root.iter("TIER")}
    assert tiers["L-looks"] == "learner" and tiers["L-looks (partner)"] == "partner"
    assert loads_eaf(dumps_eaf(coding)) == coding


# --- malformed input -----------------------------------------------------------------------------------------

GOOD_BORIS = {
    "behaviors_conf": {"0": {"code": "p", "type": "Point event", "key": "p", "modifiers": ""}},
    "observations": {"o": {"events": [[1.0, "", "p", "", ""]]}},
}


def _boris_with(**changes):
    project = json.loads(json.dumps(GOOD_BORIS))
    for path, value in changes.items():
        target = project
        keys = path.split("__")
        for key in keys[:-1]:
            target = target[key]
        if value is KeyError:
            del target[keys[-1]]
        else:
            target[keys[-1]] = value
    return json.dumps(project)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (json.dumps(GOOD_BORIS)[:-10], "not valid JSON"),
        ("[1, 2]", "does not hold a project"),
        (_boris_with(observations={}), "an ethogram \\(1 behaviour\\) but no observations"),
        (_boris_with(observations=KeyError), "an ethogram \\(1 behaviour\\) but no observations"),
        (_boris_with(behaviors_conf=KeyError), "no 'behaviors_conf'"),
        (_boris_with(observations__o__events=KeyError), "no 'events'"),
        (_boris_with(observations__o__events="x"), "wrong type"),
        (_boris_with(observations__o__events=[["1.0", "", "p"]]), "not a number"),
        (_boris_with(observations__o__events=[[1.0, "", "zz"]]), "not in the ethogram"),
        (_boris_with(observations__o__events=[[1.0]]), "is not a list"),
        (_boris_with(behaviors_conf__0__type="Sometimes event"), "unsupported type"),
        (_boris_with(behaviors_conf__0__code=3), "wrong type"),
    ],
)
def test_malformed_boris(text, message):
    with pytest.raises(CodingFormatError, match=message):
        loads_boris(text)


SLOTS = '<TIME_ORDER><TIME_SLOT TIME_SLOT_ID="t1" TIME_VALUE="{v}"/><TIME_SLOT TIME_SLOT_ID="t2" TIME_VALUE="9"/>'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><ANNOTATION_DOCUMENT/>', "DOCTYPE"),
        ("<ANNOTATION_DOCUMENT><TIME_ORDER>", "not well-formed"),
        ("<OTHER/>", "not ANNOTATION_DOCUMENT"),
        ("<ANNOTATION_DOCUMENT/>", "no TIME_ORDER"),
        ("<ANNOTATION_DOCUMENT>" + SLOTS.format(v="soon") + "</TIME_ORDER></ANNOTATION_DOCUMENT>", "whole milli"),
        (
            "<ANNOTATION_DOCUMENT>" + SLOTS.format(v="1") + '</TIME_ORDER><TIER TIER_ID="a"><ANNOTATION>'
            '<ALIGNABLE_ANNOTATION ANNOTATION_ID="a1" TIME_SLOT_REF1="t1" TIME_SLOT_REF2="t9"/>'
            "</ANNOTATION></TIER></ANNOTATION_DOCUMENT>",
            "time slot the file does not have",
        ),
        (
            "<ANNOTATION_DOCUMENT>" + SLOTS.format(v="1") + '</TIME_ORDER><TIER TIER_ID="a"><ANNOTATION>'
            '<REF_ANNOTATION ANNOTATION_ID="a1" ANNOTATION_REF="a1"/></ANNOTATION></TIER></ANNOTATION_DOCUMENT>',
            "missing or circular",
        ),
        ('<ANNOTATION_DOCUMENT><HEADER TIME_UNITS="NTSC-frames"/></ANNOTATION_DOCUMENT>', "only milliseconds"),
    ],
)
def test_malformed_elan(text, message):
    with pytest.raises(CodingFormatError, match=message):
        loads_eaf(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("when,code\n1,a\n", "no time column"),
        ("time,code\nsoon,a\n", "not a number"),
        ("time,code,kind\n1,p,point\n2,p,state\n", "row 2 has it as a point"),
        ("time,code,kind,end\n3,a,state,1\n", "ends before"),
        ("time,code,kind\n1,a,sometimes\n", "kind"),
        ("time,code\n1,a,extra\n", "more cells"),
    ],
)
def test_malformed_csv(text, message):
    with pytest.raises(CodingFormatError, match=message):
        loads_csv(text)


# --- command line --------------------------------------------------------------------------------------------


def test_cli_stats_and_kappa(tmp_path, capsys):
    coding = Coding(DEFAULT_ETHOGRAM, (Event(0, "L-looks", "learner", 4), Event(2, "P-smiles", "partner")), 10)
    path = tmp_path / "a.csv"
    path.write_text(dumps_csv(coding))
    eaf = tmp_path / "b.eaf"
    eaf.write_text(dumps_eaf(coding))
    assert cli.main(["stats", str(path)]) == 0
    out = capsys.readouterr().out
    assert "L-looks" in out and "P-smiles" in out
    assert cli.main(["kappa", str(path), str(eaf)]) == 0
    assert "kappa (combined labels): 1.000" in capsys.readouterr().out
    bad = tmp_path / "bad.boris"
    bad.write_text("{")
    assert cli.main(["stats", str(bad)]) == 2
    assert "not valid JSON" in capsys.readouterr().err


@needs_reference
def test_cli_on_real_boris(capsys):
    assert cli.main(["stats", str(REFERENCE / "boris" / "test.boris"), "--observation", "modifiers"]) == 0
    assert "# modifiers: 5 events" in capsys.readouterr().out

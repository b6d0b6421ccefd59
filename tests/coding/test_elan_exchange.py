"""ELAN files Attunement writes, read by another program (pympi-ling's Eaf) as a researcher's tools would:
one tier per code and subject, every annotation at its time, ELAN's schema reference and a real date, and what
an imported ELAN file held (tier hierarchy, vocabularies, linguistic types, media links) kept through a round
trip."""

import time
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from attunement.coding.boris import load_boris
from attunement.coding.elan import dumps_eaf, load_eaf, loads_eaf
from attunement.coding.model import DEFAULT_ETHOGRAM, Code, Coding, Ethogram, Event, ModifierSet

from .strategies import default_codings

pympi = pytest.importorskip("pympi")

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference"
BORIS_FILES = sorted((REFERENCE / "boris").glob("*.boris"))
needs_reference = pytest.mark.skipif(not REFERENCE.is_dir(), reason=f"reference files not found at {REFERENCE}")


def read_with_pympi(text: str, folder: Path):
    path = folder / f"export-{time.monotonic_ns()}.eaf"
    path.write_text(text, encoding="utf-8")
    return pympi.Elan.Eaf(str(path))


def ms(seconds: float) -> int:
    return round(seconds * 1000)


def expected_tiers(coding: Coding) -> dict[tuple[str, str], Counter]:
    """(code, subject) -> Counter of (start ms, end ms, value) the coding's events make (unpaired states, which
    have no end, make none)."""
    tiers: dict[tuple[str, str], Counter] = {}
    unpaired = set(coding.unpaired)
    for event in coding.events:
        if event in unpaired:
            continue
        tiers.setdefault((event.code, event.subject), Counter())[
            (ms(event.time), ms(event.last_time), "|".join(event.modifiers))
        ] += 1
    return tiers


def seen_tiers(eaf) -> dict[tuple[str, str], Counter]:
    """The same, as pympi reads the file: tier name split back into code and PARTICIPANT."""
    tiers = {}
    for name, (aligned, _refs, attributes, _ordinal) in eaf.tiers.items():
        participant = attributes.get("PARTICIPANT", "")
        code = name.removesuffix(f" ({participant})") if participant else name
        tiers[(code, participant)] = Counter(
            (eaf.timeslots[start], eaf.timeslots[end], value) for start, end, value, _svg in aligned.values()
        )
    return tiers


def assert_pympi_sees_every_event(coding: Coding, folder: Path) -> None:
    """Every event with an end (and every moment) is an annotation pympi reads; unpaired states are not."""
    eaf = read_with_pympi(dumps_eaf(coding, leave_out_unpaired=True), folder)
    seen = seen_tiers(eaf)
    for pair, annotations in expected_tiers(coding).items():
        assert seen.get(pair) == annotations, pair
    assert sum(sum(c.values()) for c in seen.values()) == len(coding.events) - len(coding.unpaired)


@needs_reference
def test_every_boris_test_observation_exports_to_elan_including_those_with_subjects(tmp_path):
    counts = {}
    for path in BORIS_FILES:
        codings = load_boris(path).values()
        for coding in codings:
            assert_pympi_sees_every_event(coding, tmp_path)
        counts[path.name] = (len(codings), sum(any(event.subject for event in c.events) for c in codings))
    # BORIS's own test project: 12 observations, 6 of them coded with subjects (these were refused before).
    assert counts["test.boris"] == (12, 6)
    assert sum(n for n, _ in counts.values()) == 31


@needs_reference
def test_a_boris_coding_with_two_subjects_gets_a_tier_per_code_and_subject(tmp_path):
    coding = load_boris(REFERENCE / "boris" / "test.boris")["observation #2"]
    eaf = read_with_pympi(dumps_eaf(coding), tmp_path)
    pairs = {(e.code, e.subject) for e in coding.events}
    assert len({s for _c, s in pairs}) == 3  # no subject, subject1 and subject2
    participants = {name: attrs.get("PARTICIPANT", "") for name, (_a, _r, attrs, _o) in eaf.tiers.items()}
    for code, subject in pairs:
        assert any(p == subject and name.startswith(code) for name, p in participants.items()), (code, subject)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(coding=default_codings())
def test_every_export_is_read_by_pympi_with_its_tiers_counts_and_times(tmp_path, coding):
    assert_pympi_sees_every_event(coding, tmp_path)
    eaf = read_with_pympi(dumps_eaf(coding), tmp_path)
    assert set(eaf.tiers) == set(DEFAULT_ETHOGRAM.keys)  # unused codes keep their (empty) tier


def test_the_export_is_dated_now_and_names_elans_schema(tmp_path):
    coding = Coding(DEFAULT_ETHOGRAM, (Event(1, "L-smiles", "learner"),))
    text = dumps_eaf(coding)
    root = ET.fromstring(text.encode())
    xsi = "{http://www.w3.org/2001/XMLSchema-instance}noNamespaceSchemaLocation"
    assert root.get(xsi) == "http://www.mpi.nl/tools/elan/EAFv3.0.xsd"
    written = datetime.fromisoformat(root.get("DATE"))
    assert abs(written - datetime.now(UTC)) < timedelta(minutes=5)
    eaf = read_with_pympi(text, tmp_path)
    assert "default-lt" in eaf.linguistic_types
    assert set(eaf.constraints) == {"Time_Subdivision", "Symbolic_Subdivision", "Symbolic_Association", "Included_In"}


def test_media_and_modifier_pick_lists_are_written_as_elan_has_them(tmp_path):
    waves = Code("waves", "Waves", "learner", "point", modifier_sets=(ModifierSet("hand", ("left", "right")),))
    coding = Coding(
        Ethogram((waves,)),
        (Event(1, "waves", "learner", None, ("left",)),),
        media=("/home/researcher/videos/session 3.mp4",),
    )
    eaf = read_with_pympi(dumps_eaf(coding), tmp_path)
    (media,) = eaf.media_descriptors
    assert media["MEDIA_URL"] == "file:///home/researcher/videos/session%203.mp4"
    assert media["MIME_TYPE"] == "video/mp4"
    assert media["RELATIVE_MEDIA_URL"] == "./session%203.mp4"
    vocabulary = eaf.controlled_vocabularies["waves"]
    assert sorted(value for entry in vocabulary[1].values() for value, *_rest in entry[0]) == ["left", "right"]
    assert eaf.linguistic_types[eaf.tiers["waves"][2]["LINGUISTIC_TYPE_REF"]]["CONTROLLED_VOCABULARY_REF"] == "waves"
    assert loads_eaf(dumps_eaf(coding)) == coding


@needs_reference
@pytest.mark.parametrize("name", ["sample_2.7.eaf", "sample_3.0.eaf"])
def test_an_elan_file_keeps_hierarchy_vocabularies_types_and_media_through_a_round_trip(name, tmp_path):
    path = REFERENCE / "elan" / name
    before = pympi.Elan.Eaf(str(path))
    after = read_with_pympi(dumps_eaf(load_eaf(path)), tmp_path)
    assert list(after.tiers) == list(before.tiers)
    for tier in before.tiers:
        assert after.tiers[tier][2] == before.tiers[tier][2], tier  # PARENT_REF, LINGUISTIC_TYPE_REF, languages…
        assert len(after.tiers[tier][0]) == len(before.tiers[tier][0]), tier
        assert len(after.tiers[tier][1]) == len(before.tiers[tier][1]), tier
    assert after.linguistic_types == before.linguistic_types
    assert after.controlled_vocabularies == before.controlled_vocabularies
    assert after.media_descriptors == before.media_descriptors
    assert after.linked_file_descriptors == before.linked_file_descriptors
    assert after.external_refs == before.external_refs
    assert after.languages == before.languages
    assert after.locales == before.locales
    for tier, (aligned, refs, _attrs, _o) in before.tiers.items():
        if aligned:  # every time the file states is still there (unaligned ones now have their placed time)
            times = Counter(t for a in before.get_annotation_data_for_tier(tier) for t in a[:2] if t is not None)
            placed = Counter(t for a in after.get_annotation_data_for_tier(tier) for t in a[:2])
            assert not times - placed, tier
            values = sorted(a[2] for a in before.get_annotation_data_for_tier(tier))
            assert sorted(a[2] for a in after.get_annotation_data_for_tier(tier)) == values
        if refs:  # referring annotations keep their parent, value and order
            got = [a[:4] for a in after.get_ref_annotation_data_for_tier(tier)]
            assert got == [a[:4] for a in before.get_ref_annotation_data_for_tier(tier)], tier
    assert loads_eaf(dumps_eaf(load_eaf(path))) == load_eaf(path)

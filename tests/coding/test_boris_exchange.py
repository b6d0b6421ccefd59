"""BORIS projects Attunement writes carry the whole ethogram (descriptions, shortcut keys, modifier sets,
behaviours nobody coded) and the media file names, and an ethogram-only project reads as an ethogram."""

import json
from pathlib import Path

import pytest

from attunement.coding.boris import EthogramOnly, dumps_boris, load_boris, loads_boris, read_boris_ethogram
from attunement.coding.elan import dumps_eaf, loads_eaf
from attunement.coding.model import Code, Coding, Ethogram, Event, ModifierSet

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference"
needs_reference = pytest.mark.skipif(not REFERENCE.is_dir(), reason=f"reference files not found at {REFERENCE}")
BEHAVIOUR_ITEMS = ("type", "key", "code", "description", "category", "modifiers", "excluded", "coding map")


@needs_reference
@pytest.mark.parametrize("name", ["test.boris", "test2.boris", "test_with_leading_trailing_spaces_in_modifiers.boris"])
def test_every_observation_exports_with_the_whole_ethogram_and_its_media_names(name):
    path = REFERENCE / "boris" / name
    project = json.loads(path.read_text())
    before = {b["code"]: {k: b.get(k) for k in BEHAVIOUR_ITEMS} for b in project["behaviors_conf"].values()}
    for obs_id, coding in load_boris(path).items():
        written = json.loads(dumps_boris(coding))
        after = {b["code"]: {k: b.get(k) for k in BEHAVIOUR_ITEMS} for b in written["behaviors_conf"].values()}
        assert after == before, obs_id  # unused behaviours, descriptions, keys and modifier sets all there
        (observation,) = written["observations"].values()
        original = project["observations"][obs_id]
        assert observation["type"] == original["type"]
        if original["type"] == "MEDIA":
            assert observation["file"] == original["file"]
            assert "media" not in observation["file"]["1"]
        assert written["subjects_conf"] == project["subjects_conf"]
        assert written["independent_variables"] == project["independent_variables"]
        assert loads_boris(json.dumps(written))[obs_id] == coding


def test_modifier_sets_and_unused_codes_survive_boris_and_elan():
    hand = ModifierSet("hand", ("left", "right"))
    speed = ModifierSet("speed", ("slow", "fast"), multiple=True, description="how quickly")
    ethogram = Ethogram(
        (
            Code("waves", "Waves a hand", "learner", "point", shortcut="w", modifier_sets=(hand, speed)),
            Code("hums", "Hums a tune", "partner", "state", shortcut="h"),
        )
    )
    coding = Coding(ethogram, (Event(2.5, "waves", "learner", None, ("left", "fast")),), 60.0, media=("clip.mp4",))
    back = loads_boris(dumps_boris(coding))["observation"]
    assert back.ethogram == ethogram
    assert back.ethogram.get("waves").modifier_sets == (hand, speed)
    assert back.media == ("clip.mp4",)
    behaviours = json.loads(dumps_boris(coding))["behaviors_conf"]
    assert behaviours["0"]["modifiers"]["1"] == {
        "name": "speed",
        "type": 1,
        "values": ["slow", "fast"],
        "description": "how quickly",
    }
    assert loads_eaf(dumps_eaf(coding)).ethogram == ethogram


@needs_reference
def test_an_ethogram_only_project_reads_as_an_ethogram_with_its_modifier_sets():
    project = json.loads((REFERENCE / "boris" / "test.boris").read_text())
    project["observations"] = {}
    with pytest.raises(EthogramOnly, match="holds an ethogram \\(5 behaviours\\) but no observations") as refused:
        loads_boris(json.dumps(project))
    assert refused.value.ethogram == read_boris_ethogram(project)
    two_sets = refused.value.ethogram.get("m")
    assert [s.name for s in two_sets.modifier_sets] == ["modif #1", "modif #2"]
    assert two_sets.modifier_sets[1].values == ("n1", "n2", "n3")
    assert two_sets.name == "state event with 2 set of modifiers" and two_sets.shortcut == "m"

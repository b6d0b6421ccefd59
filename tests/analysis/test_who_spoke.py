"""Who made each sound, on made-up dialogues of two voices from 80 to 400 Hz (tests/analysis/voices.py)."""

import numpy as np
import pytest

from attunement.analysis import vocal
from attunement.analysis.vocal import Segment, attribute, detect_segments, features_from_samples, turn_taking

from .voices import NATURAL_REPORTED, PAIRINGS, Voice, dialogue, score


def measured(learner, partner, *, sounds=40, seed=0, **options):
    samples, truth = dialogue(learner, partner, sounds=sounds, seed=seed)
    segments = detect_segments(features_from_samples(samples, use_model=False))
    info = attribute(segments, **options)
    return segments, truth, info


@pytest.mark.parametrize("pairing", list(PAIRINGS))
def test_nine_sounds_in_ten_named_right_and_the_share_within_five_points(pairing):
    learner, partner = PAIRINGS[pairing]
    for seed in (0, 1):
        segments, truth, info = measured(learner, partner, sounds=26 if "reported" in pairing else 40, seed=seed)
        result = score(segments, truth)
        assert info["attributed"]
        assert result["accuracy"] >= 0.9, (pairing, seed, result["accuracy"])
        assert abs(result["share_error"]) <= 5, (pairing, seed, result["share"], result["true_share"])


def test_the_reported_dialogue_a_90_hz_partner_is_not_taken_for_the_learner():
    """The reported dialogue: a voice of about 290 Hz and one of about 90 Hz, 26 sounds. The low voice's
    pitch is its fundamental (not a harmonic), the learner's share of the voice is the true one, and the page
    would count the true number of exchanges."""
    learner, partner = PAIRINGS["reported 290 and 90 Hz"]
    segments, truth, info = measured(learner, partner, sounds=26, seed=0)
    assert len(segments) == 26
    for segment, sound in zip(segments, truth, strict=True):
        assert segment.pitch_hz == pytest.approx(sound.pitch_hz, rel=0.1)
        assert segment.speaker == sound.who
    assert info["low_hz"] == pytest.approx(90, rel=0.1) and info["high_hz"] == pytest.approx(290, rel=0.1)
    true_turns = turn_taking([Segment(s.start_s, s.end_s, speaker=s.who) for s in truth])
    assert turn_taking(segments)["exchanges"] == true_turns["exchanges"]


def test_low_confidence_is_less_often_right():
    """Two voices whose pitches overlap (a third of an octave apart, each spreading by an eighth of an octave):
    the suggestions made with confidence under 0.4 are right clearly less often than those over 0.6."""
    calls = []
    for seed in range(3):
        segments, truth, _ = measured(
            Voice("boy", 270, "child", 0.12), Voice("woman", 210, "woman", 0.12), sounds=40, seed=seed
        )
        calls += [c for c in score(segments, truth)["calls"]]
    calls = np.array(calls)
    low, high = calls[calls[:, 1] < 0.4], calls[calls[:, 1] >= 0.6]
    assert len(low) >= 5 and len(high) >= 50
    assert low[:, 0].mean() < 0.7 < 0.85 < high[:, 0].mean()


def test_pitch_is_the_same_fed_in_pieces_and_across_praats_chunks():
    """Praat tracks the pitch 12 s at a time: a vocalisation across the boundary keeps its pitch, and the sound
    fed in small pieces (as decoded) gives the frames the same pitch as all at once."""
    learner, partner = PAIRINGS["man and girl"]
    samples, _ = dialogue(learner, partner, sounds=30, seed=3)
    whole = features_from_samples(samples, use_model=False)
    meter = vocal.VocalMeter(use_model=False)
    for i in range(0, samples.size, 1234):
        meter.feed_samples(samples[i : i + 1234])
    pieces = meter.result()
    assert whole.pitch_hz.size == whole.energy_db.size == pieces.pitch_hz.size
    assert np.array_equal(np.isnan(whole.pitch_hz), np.isnan(pieces.pitch_hz))
    assert np.allclose(whole.pitch_hz, pieces.pitch_hz, equal_nan=True)
    boundary = vocal.PITCH_CHUNK_FRAMES * vocal.FRAME_S
    across = [s for s in detect_segments(whole) if s.start_s < boundary < s.end_s]
    for segment in across:
        a, b = segment.frames
        voiced = whole.pitch_hz[a:b][np.isfinite(whole.pitch_hz[a:b])]
        assert np.all(np.abs(np.log2(voiced / segment.pitch_hz)) < 0.3)  # no octave jump at the boundary


def test_the_learner_can_be_the_lower_voice():
    learner, partner = PAIRINGS["man and girl"]
    segments, truth, _ = measured(learner, partner, sounds=20, seed=4, learner_voice="lower")
    swapped = [type(s)(s.start_s, s.end_s, "partner" if s.who == "learner" else "learner", s.pitch_hz) for s in truth]
    assert score(segments, swapped)["accuracy"] >= 0.9


def test_one_voice_names_nobody():
    voice = PAIRINGS["two women"][0]
    segments, _, info = measured(voice, voice, sounds=20, seed=5)
    assert not info["attributed"]
    assert {s.speaker for s in segments} == {"unknown"}


@pytest.mark.parametrize(("suffix", "rotation"), [("mp4", 0), ("mov", 90)])
def test_the_reported_dialogue_in_a_video_gives_the_true_share_and_exchanges(tmp_path, suffix, rotation):
    """Through the whole analysis of a video (AAC at 48 kHz, as a camera records; a portrait one too), the
    figures the session page shows: the learner's share of the voice within 5 points and the true number of
    exchanges."""
    from attunement.analysis.pipeline import analyse

    from .videos import on_off_pattern, write_video
    from .voices import at_48khz

    learner, partner = PAIRINGS["reported 290 and 90 Hz"]
    samples, truth = dialogue(learner, partner, sounds=26, seed=1)
    frames = int(samples.size / vocal.RATE * 25)
    pattern = on_off_pattern(frames, 25, np.random.default_rng(0))
    path = write_video(
        tmp_path / f"dialogue.{suffix}", left=pattern, right=pattern, sound_samples=at_48khz(samples), rotation=rotation
    )
    found = analyse(path, preset="short").vocal
    times = found.by_speaker_s
    share = 100 * times.learner / (times.learner + times.partner)
    true = score([Segment(s.start_s, s.end_s, speaker=s.who) for s in truth], truth)["true_share"]
    assert abs(share - true) <= 5
    assert len(found.segments) == 26
    assert found.exchanges == turn_taking([Segment(s.start_s, s.end_s, speaker=s.who) for s in truth])["exchanges"]


def test_the_reported_dialogue_in_natural_voices_credits_the_low_voice_to_the_partner():
    """The reported dialogue in more natural voices (voices.NATURAL_REPORTED: glottal flow pulses with a pressed
    voice's weak fundamental, jitter, shimmer, breath, five formants, the man's sounds sometimes ending in creak,
    all through a telephone-like band of 300 to 3,400 Hz): a girl of about 290 Hz and a man of about 89 Hz, 26
    sounds. Nine sounds in ten named right, the learner's share of the voice within 5 points and the number of
    exchanges within 2 of the truth.

    Engine 1.2.2 describes each sound by four pitch readings (the cepstrum over 60 and 30 ms, Praat at octave
    costs 0.05 and 0.01) and fits the two voices over all four. Measured (seed 0, then seed 1): 92% and 100% of
    the sounds named right, the learner's share 52.3% and 55.9% (truth 50.1% and 55.9%), 13 and 11 exchanges
    (truth 11 and 11); on seeds 0 to 9, 92% to 100% right (mean 96.9%), the share off by 0 to 6.0 points (more than
    5 on seeds 5, 6 and 7). Before (engine 1.2.1, Praat at 0.05 alone) this failed, as was reported: 62% and
    50% right, the share 66.6% and 26.9%, 7 of the man's 13 sounds and 3 of 12 read at 276 to 811 Hz (his
    harmonics, so credited to the girl); the earlier autocorrelation tracker named 81% and 73% right.
    """
    learner, partner = NATURAL_REPORTED
    for seed in (0, 1):
        segments, truth, info = measured(learner, partner, sounds=26, seed=seed)
        result = score(segments, truth)
        true_exchanges = turn_taking([Segment(s.start_s, s.end_s, speaker=s.who) for s in truth])["exchanges"]
        assert info["attributed"]
        assert result["accuracy"] >= 0.9, (seed, result["accuracy"])
        assert abs(result["share_error"]) <= 5, (seed, result["share"], result["true_share"])
        assert abs(turn_taking(segments)["exchanges"] - true_exchanges) <= 2

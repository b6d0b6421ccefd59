"""Vocal activity on made sound (no video): detection, pitch, who, pauses and turns."""

import numpy as np
import pytest

from attunement.analysis import vocal
from attunement.analysis.vocal import (
    RATE,
    Segment,
    attribute,
    detect_segments,
    exchange_times,
    features_from_samples,
    pauses,
    turn_taking,
    two_groups,
)

from .videos import alternating_tones


def sound(seconds: float, events, *, noise=0.002, seed=0, harmonics=1) -> np.ndarray:
    """Mono 16 kHz: noise plus, for each ``(start, end, hz)``, a tone (with ``harmonics`` harmonics of falling
    strength) with 10 ms fades."""
    rng = np.random.default_rng(seed)
    out = noise * rng.standard_normal(int(seconds * RATE))
    for start, end, hz in events:
        a, b = int(start * RATE), int(end * RATE)
        t = np.arange(b - a) / RATE
        envelope = np.minimum(1.0, np.minimum(np.arange(b - a), np.arange(b - a)[::-1]) / (0.01 * RATE))
        tone = sum(np.sin(2 * np.pi * hz * h * t) / h for h in range(1, harmonics + 1))
        out[a:b] += 0.2 * envelope * tone
    return out.astype(np.float32)


@pytest.fixture(scope="module")
def tones():
    events = alternating_tones(60, np.random.default_rng(2))
    features = features_from_samples(sound(60, events))
    return events, features


def test_tone_onsets_and_ends_are_found(tones):
    events, features = tones
    segments = detect_segments(features)
    assert len(segments) == len(events)
    for segment, (start, end, _) in zip(segments, events, strict=True):
        assert segment.start_s == pytest.approx(start, abs=0.1)
        assert segment.end_s == pytest.approx(end, abs=0.2)


def test_pitch_and_who(tones):
    events, features = tones
    segments = detect_segments(features)
    info = attribute(segments)
    assert info["attributed"]
    assert info["low_hz"] == pytest.approx(300, rel=0.02) and info["high_hz"] == pytest.approx(600, rel=0.02)
    for segment, (_, _, hz) in zip(segments, events, strict=True):
        assert segment.pitch_hz == pytest.approx(hz, rel=0.02)
        assert segment.speaker == ("learner" if hz == 600 else "partner")
        assert 0.8 <= segment.confidence <= 1.0
    attribute(segments, learner_voice="lower")
    assert all(s.speaker == ("learner" if s.pitch_hz < 400 else "partner") for s in segments)


def test_turns_from_alternating_tones(tones):
    events, features = tones
    segments = detect_segments(features)
    attribute(segments)
    taking = turn_taking(segments, max_gap_s=2.0)
    assert taking["turns"] == len(events)
    assert taking["exchanges"] == len(events) - 1
    assert taking["longest_chain"] == len(events)
    assert taking["chains"][0]["first"] == "learner"
    assert len(exchange_times(segments)) == len(events) - 1


@pytest.mark.parametrize(("hz", "harmonics"), [(110, 8), (220, 6), (450, 4), (900, 3)])
def test_pitch_of_voices_low_to_very_high(hz, harmonics):
    features = features_from_samples(sound(6, [(1.0, 3.0, hz), (4.0, 5.0, hz)], harmonics=harmonics))
    segments = detect_segments(features)
    assert len(segments) == 2
    for segment in segments:
        assert segment.pitch_hz == pytest.approx(hz, rel=0.03)
        assert segment.voiced_fraction > 0.8


def test_silence_and_noise_give_no_vocalisation():
    assert detect_segments(features_from_samples(np.zeros(5 * RATE, np.float32))) == []
    assert detect_segments(features_from_samples(sound(20, []))) == []
    assert detect_segments(features_from_samples(np.zeros(0, np.float32))) == []


def test_a_clap_is_too_short():
    rng = np.random.default_rng(1)
    samples = sound(10, [(4.0, 5.0, 300)])
    samples[2 * RATE : 2 * RATE + 800] += (0.5 * rng.standard_normal(800)).astype(np.float32)  # 50 ms
    segments = detect_segments(features_from_samples(samples))
    assert len(segments) == 1 and segments[0].start_s == pytest.approx(4.0, abs=0.1)


def test_short_dips_are_joined_and_ends_held():
    events = [(1.0, 1.5, 300), (1.6, 2.2, 300)]  # a 0.1 s dip within one vocalisation
    segments = detect_segments(features_from_samples(sound(4, events)))
    assert len(segments) == 1
    assert segments[0].end_s == pytest.approx(2.2 + vocal.DETECTION_DEFAULTS["hangover_s"], abs=0.06)


def test_quiet_recording_levels_are_relative_to_the_noise_floor():
    events = [(1.0, 2.0, 400), (3.0, 4.0, 400)]
    loud = detect_segments(features_from_samples(sound(6, events)))
    quiet = detect_segments(features_from_samples(sound(6, events) * 0.05))  # 26 dB quieter, same SNR
    assert [round(s.start_s, 2) for s in loud] == [round(s.start_s, 2) for s in quiet]


def test_detector_with_and_without_the_model():
    samples = sound(8, [(1.0, 2.0, 300), (3.0, 4.0, 600)])
    plain = vocal.VocalMeter(use_model=False)
    assert plain.detector == "energy"
    without = features_from_samples(samples, use_model=False)
    assert without.model_speech is None
    if vocal.model_available():
        with_model = features_from_samples(samples, use_model=True)
        assert with_model.model_speech is not None and with_model.model_speech.size == with_model.energy_db.size
        assert [round(s.start_s, 2) for s in detect_segments(with_model)] == [
            round(s.start_s, 2) for s in detect_segments(without)
        ]


def test_start_time_is_kept():
    features = features_from_samples(sound(4, [(1.0, 2.0, 300)]), start_s=10.0)
    assert detect_segments(features)[0].start_s == pytest.approx(11.0, abs=0.1)
    assert detect_segments(features.shifted(10.0))[0].start_s == pytest.approx(1.0, abs=0.1)


def seg(start, end, speaker, pitch=None):
    return Segment(start, end, pitch_hz=pitch, voiced_fraction=1.0, speaker=speaker, confidence=1.0)


def test_turn_chains_and_exchanges():
    segments = [
        seg(0.0, 1.0, "learner"),
        seg(1.5, 2.0, "learner"),  # same turn (gap 0.5 s)
        seg(3.0, 4.0, "partner"),  # exchange 1
        seg(4.5, 5.0, "unknown"),  # left out
        seg(5.5, 6.0, "learner"),  # exchange 2
        seg(10.0, 11.0, "partner"),  # 4 s later: a new chain
        seg(20.0, 21.0, "learner"),
        seg(22.0, 23.0, "partner"),  # exchange 3
    ]
    taking = turn_taking(segments, max_gap_s=2.0)
    assert taking["turns"] == 6
    assert taking["exchanges"] == 3
    assert taking["longest_chain"] == 3
    assert [(c["start_s"], c["end_s"], c["turns"], c["first"]) for c in taking["chains"]] == [
        (0.0, 6.0, 3, "learner"),
        (20.0, 23.0, 2, "learner"),
    ]
    assert taking["initiations"] == {"learner": 2, "partner": 0}
    assert exchange_times(segments, max_gap_s=2.0) == [3.0, 5.5, 22.0]
    assert turn_taking([], max_gap_s=2.0)["longest_chain"] == 0


def test_pauses():
    segments = [seg(0.0, 1.0, "learner"), seg(1.5, 2.0, "partner"), seg(4.0, 5.0, "learner")]
    rhythm = pauses(segments, 60.0)
    assert rhythm["vocal_time_s"] == pytest.approx(2.5)
    assert rhythm["pause_lengths_s"] == [0.5, 2.0]
    assert rhythm["median_pause_s"] == pytest.approx(1.25)
    assert rhythm["bursts_per_minute"] == pytest.approx(3.0)
    assert rhythm["median_burst_s"] == pytest.approx(1.0)
    assert pauses([], 60.0)["median_pause_s"] is None


def test_two_groups_and_one_voice():
    low, high = two_groups(np.log2([200, 210, 190, 400, 420, 380, 205]))
    assert 2**low == pytest.approx(201, rel=0.03) and 2**high == pytest.approx(400, rel=0.03)
    assert two_groups(np.array([1.0])) is None and two_groups(np.array([2.0, 2.0])) is None
    one_voice = [seg(i, i + 0.5, "unknown", pitch=300 + i) for i in range(5)]
    info = attribute(one_voice)
    assert not info["attributed"]
    assert all(s.speaker == "unknown" and s.confidence == 0 for s in one_voice)
    with pytest.raises(ValueError):
        attribute(one_voice, learner_voice="loudest")


def test_confidence_falls_near_the_boundary():
    segments = [seg(i, i + 0.5, "unknown", pitch=p) for i, p in enumerate([200, 200, 400, 400, 290])]
    attribute(segments)
    assert segments[0].confidence == 1.0 and segments[2].confidence == 1.0
    assert segments[4].confidence < 0.3


@pytest.mark.parametrize(
    ("fmt", "layout", "rate"),
    [("fltp", "stereo", 48000), ("s16", "stereo", 44100), ("s16p", "mono", 22050), ("flt", "5.1", 32000)],
)
def test_decoded_sound_of_any_format(fmt, layout, rate):
    """Sound frames as a decoder gives them (any sample format, layout and rate) are read, resampled to mono
    16 kHz and give the same vocalisations."""
    import av

    samples = sound(6, [(1.0, 2.0, 300), (3.0, 4.5, 600)])
    source = av.AudioFrame.from_ndarray(samples[None, :], format="flt", layout="mono")
    source.sample_rate, source.pts = RATE, 0
    converter = av.AudioResampler(format=fmt, layout=layout, rate=rate, frame_size=1024)
    frames = converter.resample(source) + converter.resample(None)
    meter = vocal.VocalMeter(use_model=False)
    for frame in frames:
        assert np.array_equal(
            np.concatenate(vocal._raw_samples(frame, vocal._sample_layout(frame))), frame.to_ndarray().reshape(-1)
        )
        meter.feed(frame)
    segments = detect_segments(meter.result())
    assert [(round(s.start_s, 1), round(s.pitch_hz, -1)) for s in segments] == [(1.0, 300), (3.0, 600)]

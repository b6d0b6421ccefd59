"""The whole analysis on real little videos with known movement and sound."""

import json
import math

import numpy as np
import pytest

from attunement.analysis import ENGINE_VERSION
from attunement.analysis.motion import RegionProblem, resample
from attunement.analysis.pipeline import analyse
from attunement.analysis.result import AnalysisResult, Box
from attunement.media import MediaProblem

from .conftest import FPS, SECONDS
from .videos import delayed, on_off_pattern, write_video


def test_learner_leads(analysed):
    result = analysed("learner_leads")
    sync = result.synchrony
    assert sync.leader == "learner"
    assert sync.best_lag_s == pytest.approx(1.0, abs=0.2)
    assert sync.p_value < 0.05 and sync.beyond_chance is True
    assert sync.follow_delay_s == pytest.approx(1.0, abs=0.2)
    assert sync.effect_size > 3
    assert len(sync.windows) == 5  # 90 s, 30 s windows every 15 s
    for window in sync.windows:
        assert window.end_s - window.start_s == pytest.approx(30)
        assert window.peak_lag_s == pytest.approx(1.0, abs=0.2)
    assert AnalysisResult.from_json(json.loads(json.dumps(result.to_json(), allow_nan=False))) == result


def test_partner_leads(analysed):
    sync = analysed("partner_leads").synchrony
    assert sync.leader == "partner"
    assert sync.best_lag_s == pytest.approx(-1.0, abs=0.2)
    assert sync.p_value < 0.05 and sync.beyond_chance is True
    assert sync.follow_delay_s == pytest.approx(1.0, abs=0.2)  # how long the learner took to follow


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_independent_movement_is_not_significant(analysed, seed):
    result = analysed(f"independent-{seed}")
    assert result.synchrony.p_value > 0.05
    assert result.synchrony.leader == "neither" and result.synchrony.beyond_chance is False
    assert result.synchrony.follow_delay_s is None
    assert all(m.score >= 1.645 for m in result.moments)
    vocal = result.vocal
    assert vocal.available is False and vocal.detector is None and vocal.segments == ()
    assert vocal.exchanges == 0 and vocal.chains == () and vocal.pauses.count == 0


def test_motion_follows_the_pattern(analysed, videos):
    result, made = analysed("learner_leads"), videos("learner_leads")
    motion = result.motion
    assert motion.rate_hz == 10
    learner = np.array(motion.learner.values)
    assert learner.size == SECONDS * 10
    # Per 0.1 s: moving where the left square was moving (the frame pattern averaged into the same bins).
    frames = np.arange(1, made["left"].size)
    pattern = resample(frames / FPS, made["left"][1:].astype(float), rate=10, start=0, end=SECONDS)
    assert np.corrcoef(learner, pattern)[0, 1] > 0.9
    still = learner[pattern == 0]
    assert np.median(still) == 0
    proportion = made["left"].mean()
    assert motion.learner.moving_proportion == pytest.approx(proportion, abs=0.05)
    assert 0 < motion.learner.mean < 0.2


def test_vocal_onsets_and_attribution(analysed, videos):
    result, tones = analysed("learner_leads"), videos("learner_leads")["tones"]
    vocal = result.vocal
    assert vocal.detector in ("energy", "energy+webrtcvad")
    segments = vocal.segments
    assert len(segments) == len(tones)
    for segment, (start, end, hz) in zip(segments, tones, strict=True):
        assert segment.start_s == pytest.approx(start, abs=0.1)
        assert segment.end_s == pytest.approx(end, abs=0.2)
        assert segment.speaker == ("learner" if hz == 600 else "partner")
        assert segment.confidence >= 0.8
    held = vocal.segments[0].end_s - tones[0][1]  # the hangover, give or take a frame
    assert vocal.vocal_time_s == pytest.approx(sum(e - s + held for s, e, _ in tones), rel=0.05)
    assert vocal.exchanges == len(tones) - 1
    assert vocal.longest_chain == len(tones)
    assert vocal.pauses.count == len(tones) - 1
    assert vocal.pauses.median_s == pytest.approx(1.0, abs=0.3)


def test_the_lower_voice_can_be_the_learner(videos):
    result = analyse(videos("learner_leads")["path"], preset="short", learner_voice="lower", surrogates=20)
    for segment, (_, _, hz) in zip(result.vocal.segments, videos("learner_leads")["tones"], strict=True):
        assert segment.speaker == ("learner" if hz == 300 else "partner")


def test_moments(analysed):
    moments = analysed("learner_leads").moments
    assert 1 <= len(moments) <= 3
    for moment in moments:
        assert moment.why in ("movement in step", "a burst of turn-taking")
        assert 0 <= moment.start_s < moment.end_s <= SECONDS
    spans = sorted((m.start_s, m.end_s) for m in moments)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))  # no overlaps
    assert [m.score for m in moments] == sorted((m.score for m in moments), reverse=True)


def test_regions_can_be_given(videos):
    path = videos("learner_leads")["path"]
    swapped = analyse(path, "160,0,160,180", "0,0,160,180", preset="short", surrogates=50)
    assert swapped.synchrony.leader == "partner"
    assert swapped.regions.learner == Box(x=160, y=0, w=160, h=180)
    assert swapped.regions.default is False
    with pytest.raises(RegionProblem):
        analyse(path, "400,0,10,10", preset="short")


def test_rotated_video(tmp_path):
    """A phone video stored on its side (rotation 90): regions are in the upright picture, 180 x 320."""
    rng = np.random.default_rng(3)
    left = on_off_pattern(40 * FPS, FPS, rng)
    path = write_video(tmp_path / "turned.mp4", left=left, right=delayed(left, FPS), audio=False, rotation=90)
    # Upright, the coded left half (the leader) is at the bottom and the coded right half at the top.
    result = analyse(path, "0,160,180,160", "0,0,180,160", preset="short", surrogates=50)
    assert (result.video.width, result.video.height, result.video.rotation) == (180, 320, 90)
    assert result.synchrony.leader == "learner"
    assert result.synchrony.best_lag_s == pytest.approx(1.0, abs=0.2)


def test_progress_and_keys(videos):
    calls = []
    result = analyse(videos("independent-11")["path"], preset="short", on_progress=calls.append, surrogates=10)
    assert calls[0] == 0.0 and calls[-1] == 1.0
    assert all(a <= b for a, b in zip(calls, calls[1:], strict=False))
    assert result.engine_version == ENGINE_VERSION
    video = result.video
    assert video.fps == 25 and (video.width, video.height) == (320, 180)
    assert video.duration_s == pytest.approx(SECONDS, abs=0.1)
    assert result.parameters.preset == "short"
    assert result.parameters.window_s == 30 and result.parameters.max_lag_s == 3
    assert result.parameters.details["synchrony"]["surrogates"] == 10
    assert not math.isnan(result.synchrony.overall_z)


def test_bad_files_are_refused(tmp_path):
    text = tmp_path / "notes.mp4"
    text.write_text("not a video at all\n")
    with pytest.raises(MediaProblem):
        analyse(text)
    with pytest.raises(MediaProblem):
        analyse(tmp_path / "missing.mp4")
    with pytest.raises(ValueError):
        analyse(text, preset="long")


def test_variable_frame_rate(tmp_path):
    """A phone-style variable frame rate video: frames 20-60 ms apart. Times come from the frames themselves."""
    from attunement.reflection.sample_video import write_sample_video

    rng = np.random.default_rng(4)
    times = np.cumsum(rng.uniform(0.02, 0.06, 200))
    path = write_sample_video(tmp_path / "vfr.mp4", frame_times=[float(t) for t in times - times[0]], width=320)
    result = analyse(path, preset="short", surrogates=10)
    assert result.video.frames == 200
    assert result.video.analysed_s == pytest.approx(times[-1] - times[0], abs=0.2)
    values = result.motion.learner.values + result.motion.partner.values
    assert len(values) == 2 * math.ceil(result.video.analysed_s * 10 - 1e-9)
    assert all(0 <= v <= 1 for v in values) and max(values) > 0  # the sweeping bar moves
    assert result.vocal.available is True


def test_a_still_video_gives_no_synchrony_and_no_nan(tmp_path):
    still = np.zeros(20 * FPS, dtype=bool)
    path = write_video(tmp_path / "still.mp4", left=still, right=still, tones=[(5.0, 6.0, 300.0)])
    result = analyse(path, preset="short", surrogates=10)
    json.dumps(result.to_json(), allow_nan=False)  # undefined values are None, never NaN
    sync = result.synchrony
    assert sync.overall_z is None and sync.p_value is None and sync.leader == "neither"
    assert sync.windows_valid == 0 and sync.windows[0].peak_z is None
    assert result.motion.learner.mean == 0 and result.moments == ()
    vocal = result.vocal
    assert len(vocal.segments) == 1 and vocal.segments[0].speaker == "unknown"  # one voice: nobody named
    assert vocal.attribution.attributed is False and vocal.exchanges == 0

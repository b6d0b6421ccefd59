"""Each window of the synchrony analysis compared with chance for that window, and moments in step that allow for
the number of windows: a session whose first half is copying (the partner repeats the learner 1.0 s later) and
whose second half is independent must show the two halves apart."""

import numpy as np
import pytest

from attunement.analysis import moments
from attunement.analysis import synchrony as sync_rules
from attunement.analysis.result import window_strength

from .conftest import SECONDS
from .videos import delayed, on_off_pattern

RATE = 10.0
HALF = 90.0
WINDOW = sync_rules.PRESETS["short"]["window_s"]


def half_copying_series(seed: int, seconds: float = 2 * HALF) -> tuple[np.ndarray, np.ndarray]:
    """Movement series at 10 Hz: b repeats a's on/off movement 1.0 s later for the first half, then moves on its
    own, with a little noise on both."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    a_on, own = on_off_pattern(n, RATE, rng), on_off_pattern(n, RATE, rng)
    b_on = delayed(a_on, int(RATE))
    b_on[n // 2 :] = own[n // 2 :]
    noise = 0.01
    return a_on * 0.05 + noise * rng.random(n), b_on * 0.05 + noise * rng.random(n)


def halves(starts):
    starts = np.asarray(starts)
    return starts + WINDOW <= HALF, starts >= HALF


@pytest.mark.parametrize("seed", range(1, 6))
def test_each_window_is_judged_against_chance_for_windows(seed):
    """(Series 0 is the one of the twelve below in which an independent window passes by luck.)"""
    a, b = half_copying_series(seed)
    result = sync_rules.synchrony(a, b, rate=RATE, surrogates=200, seed=0, **sync_rules.PRESETS["short"])
    peak, lag = sync_rules.window_peaks(result.table)
    chance = sync_rules.window_chance(peak, result.chance)
    copying, independent = halves(result.table.starts_s)
    assert copying.sum() == 5 and independent.sum() == 5
    strengths = [window_strength(p, q) for p, q in zip(chance.p_value, chance.adjusted_p_value, strict=True)]
    assert all(strengths[i] == "high" for i in np.flatnonzero(copying))
    assert not any(strengths[i] == "high" for i in np.flatnonzero(independent))
    assert (chance.score[copying] > 5).all() and (chance.score[independent] < 3).all()
    assert np.allclose(lag[copying], 1.0, atol=0.2)
    offered = moments.synchrony_candidates(
        result.table.starts_s, WINDOW, peak, lag, chance.score, chance.adjusted_p_value
    )
    assert {c["start_s"] for c in offered} >= set(result.table.starts_s[copying])
    assert not [c for c in offered if c["start_s"] >= HALF]


def test_independent_windows_are_rarely_called_in_step_in_any_session():
    """The adjustment bounds the chance that *any* independent window of a session is called in step to about
    5%: over 12 generated sessions (5 independent windows each), at most one session has one."""
    sessions_with_a_false_call = unadjusted = 0
    for seed in range(12):
        a, b = half_copying_series(seed)
        result = sync_rules.synchrony(a, b, rate=RATE, surrogates=200, seed=0, **sync_rules.PRESETS["short"])
        peak, _ = sync_rules.window_peaks(result.table)
        chance = sync_rules.window_chance(peak, result.chance)
        _, independent = halves(result.table.starts_s)
        sessions_with_a_false_call += bool((chance.adjusted_p_value[independent] <= 0.05).any())
        unadjusted += bool((chance.p_value[independent] <= 0.05).any())
    assert sessions_with_a_false_call <= 1
    assert unadjusted >= 3  # window by window, without the adjustment, luck is called in step far more often


def test_window_p_values_are_adjusted_for_the_number_of_windows():
    a, b = half_copying_series(1)
    result = sync_rules.synchrony(a, b, rate=RATE, surrogates=200, seed=0, **sync_rules.PRESETS["short"])
    peak, _ = sync_rules.window_peaks(result.table)
    chance = sync_rules.window_chance(peak, result.chance)
    assert (chance.adjusted_p_value >= chance.p_value).all()
    assert (chance.p_value >= 1 / 201).all() and (chance.adjusted_p_value <= 1).all()
    # An independent window can look unusual for itself alone and still not be called in step.
    _, independent = halves(result.table.starts_s)
    assert (chance.adjusted_p_value[independent] > 0.05).all()


def test_the_strip_and_the_moments_on_a_generated_video(analysed):
    result = analysed("half_copying")
    windows = result.synchrony.windows
    assert len(windows) == 11  # 180 s, 30 s windows every 15 s
    copying = [w for w in windows if w.end_s <= HALF]
    independent = [w for w in windows if w.start_s >= HALF]
    assert len(copying) == 5 and len(independent) == 5
    assert [w.strength for w in copying] == ["high"] * 5
    assert "high" not in {w.strength for w in independent}
    assert all(w.p_value is not None and w.adjusted_p_value >= w.p_value for w in windows)


def test_no_moment_in_step_is_offered_from_the_independent_half(videos):
    """Asked for up to 8 moments (room for every window that qualifies, not only the copying half's best)."""
    from attunement.analysis.pipeline import analyse

    result = analyse(videos("half_copying")["path"], preset="short", top_moments=8)
    assert SECONDS == HALF
    in_step = [m for m in result.moments if m.why == "movement in step"]
    assert in_step, "the copying half is offered"
    # Every moment offered lies mostly in the copying half (a window from 75 s is half in each).
    assert all(m.start_s <= HALF - WINDOW / 2 for m in in_step), [(m.start_s, m.score) for m in in_step]

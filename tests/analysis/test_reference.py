"""The synchrony analysis on real motion-energy series of two people (rMEA's sample sessions: 25 Hz, 10 minutes,
columns s1 and s2), read from ../shared/reference/rmea/."""

import math

import numpy as np
import pytest

from attunement.analysis.synchrony import PRESETS, cross_correlation, smooth, summarise, synchrony

from .conftest import reference

RATE = 25.0
RAW = ["normal_200_01_raw.csv", "normal_201_01_raw.csv", "dropout_100_01_raw.csv"]


def load(name: str) -> tuple[np.ndarray, np.ndarray]:
    data = np.loadtxt(reference(f"rmea/{name}"), delimiter=",", skiprows=1)
    assert data.shape == (15000, 2)
    return data[:, 0], data[:, 1]


@pytest.mark.parametrize("name", RAW)
def test_real_sessions_give_finite_sensible_results(name):
    s1, s2 = load(name)
    result = synchrony(s1, s2, rate=RATE, surrogates=100, **PRESETS["standard"])
    summary = result.summary
    assert result.table.z.shape == (19, 251)  # (600 - 60) / 30 + 1 windows, lags -5..5 s at 25 Hz
    assert np.isfinite(result.table.z).all()
    assert summary.valid_windows == 19
    for value in (summary.overall_z, summary.lag0_z, summary.peak_z, summary.best_lag_s):
        assert math.isfinite(value)
    assert 0 < summary.overall_z < 1.5
    assert -5 <= summary.best_lag_s <= 5
    assert result.leader in ("a", "b", "neither")
    assert math.isfinite(result.chance.effect_size)
    assert 1 / 101 <= result.chance.p_value <= 1
    if result.leader != "neither":  # a leader is only named on the side of zero where the profile peaks
        assert (result.leader == "a") == (summary.best_lag_s > 0)


@pytest.mark.parametrize("name", ["normal_200_01", "normal_201_01", "dropout_100_01"])
def test_our_smoothing_matches_rmea_smoothed_files_closely(name):
    """rMEA's _smooth files are its 0.5 s moving average of the raw series; ours differs at most in how the window
    is centred and at the ends, so the two agree closely away from the ends."""
    raw = np.loadtxt(reference(f"rmea/{name}_raw.csv"), delimiter=",", skiprows=1)
    theirs = np.loadtxt(reference(f"rmea/{name}_smooth.csv"), delimiter=",", skiprows=1)
    for column in range(2):
        ours = smooth(raw[:, column], RATE, 0.5)
        best = max(np.corrcoef(np.roll(ours, k)[50:-50], theirs[50:-50, column])[0, 1] for k in range(-12, 13))
        assert best > 0.99


def test_dropout_session_with_a_camera_gap_leaves_the_gap_out():
    """The 'dropout' session (named for the client who left therapy) has no long still stretch, so one is made:
    the second person's series is set to 0 from 195 s to 305 s, as when a camera stops or someone leaves the
    picture. The windows wholly inside (after the 0.5 s smoothing) are NaN and left out of every summary; nothing
    fails."""
    s1, s2 = load("dropout_100_01_raw.csv")
    s2 = s2.copy()
    s2[int(195 * RATE) : int(305 * RATE)] = 0.0
    a, b = smooth(s1, RATE, 0.5), smooth(s2, RATE, 0.5)
    table = cross_correlation(a, b, rate=RATE, window_s=30, step_s=15, max_lag_s=3)
    inside = (table.starts_s >= 200) & (table.starts_s + 30 <= 300)
    assert inside.sum() == 5
    assert np.isnan(table.z[inside]).all()
    assert np.isfinite(table.z[~inside]).any(axis=1).all()
    summary = summarise(table)
    finite = table.z[np.isfinite(table.z)]
    assert summary.overall_z == pytest.approx(np.abs(finite).mean())
    assert summary.valid_windows == table.z.shape[0] - 5
    result = synchrony(s1, s2, rate=RATE, surrogates=50, **PRESETS["short"])
    assert math.isfinite(result.summary.overall_z) and math.isfinite(result.chance.p_value)

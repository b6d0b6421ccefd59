"""The synchrony statistics: against a plain np.corrcoef computation, their properties, lead and follow, chance."""

import math
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from attunement.analysis.synchrony import (
    PRESETS,
    R_CLIP,
    cross_correlation,
    lead_follow,
    segment_shuffles,
    smooth,
    summarise,
    surrogate_test,
    synchrony,
)

from .videos import delayed, on_off_pattern

Z_MAX = math.atanh(R_CLIP)


def plain(a, b, *, rate, window_s, step_s, max_lag_s):
    """The definition, written out with np.corrcoef: window [s, s + W), lag k pairs a[t] with b[t + k] for t and
    t + k inside the window; r clipped to ±0.999; NaN where a part is constant."""
    n = len(a)
    w = int(round(window_s * rate))
    step = int(round(step_s * rate))
    lag = int(round(max_lag_s * rate))
    if n < w:
        w, starts = n, [0]
    else:
        starts = list(range(0, n - w + 1, step))
    lag = min(lag, w - 3)
    out = np.full((len(starts), 2 * lag + 1), np.nan)
    for i, s in enumerate(starts):
        for j, k in enumerate(range(-lag, lag + 1)):
            x = a[s + max(0, -k) : s + w - max(0, k)]
            y = b[s + max(0, k) : s + w - max(0, -k)]
            if np.ptp(x) == 0 or np.ptp(y) == 0 or np.ptp(a[s : s + w]) == 0 or np.ptp(b[s : s + w]) == 0:
                continue
            out[i, j] = np.arctanh(np.clip(np.corrcoef(x, y)[0, 1], -R_CLIP, R_CLIP))
    return out


@pytest.mark.parametrize(
    ("n", "rate", "window_s", "step_s", "max_lag_s"),
    [(700, 10, 20, 10, 3), (503, 25, 8, 3, 1.5), (90, 10, 20, 5, 2), (1200, 5, 60, 30, 5)],
)
def test_matches_a_plain_computation(n, rate, window_s, step_s, max_lag_s):
    rng = np.random.default_rng(n)
    a = rng.standard_normal(n)
    b = 0.5 * np.roll(a, 4) + rng.standard_normal(n)
    options = {"rate": rate, "window_s": window_s, "step_s": step_s, "max_lag_s": max_lag_s}
    cc = cross_correlation(a, b, **options)
    expected = plain(a, b, **options)
    assert cc.z.shape == expected.shape
    np.testing.assert_allclose(cc.z, expected, atol=1e-9)
    assert cc.lags_s[0] == -cc.lags_s[-1]
    assert cc.lags_s[cc.lag0] == 0
    np.testing.assert_allclose(np.diff(cc.starts_s), step_s)


def test_matches_with_constant_stretches():
    rng = np.random.default_rng(3)
    a = rng.integers(0, 4, 400).astype(float)
    b = rng.integers(0, 4, 400).astype(float)
    a[15:180] = 2.0  # constant over a whole window and over lagged parts of others
    b[300:330] = 0.0
    options = {"rate": 10, "window_s": 10, "step_s": 5, "max_lag_s": 2}
    cc = cross_correlation(a, b, **options)
    np.testing.assert_allclose(cc.z, plain(a, b, **options), atol=1e-9)
    assert np.isnan(cc.z[1]).all()  # the window 5-15 s lies in the constant stretch
    assert np.isfinite(cc.z[0]).any() and np.isnan(cc.z[0]).any()  # 0-10 s: constant in part


series = st.lists(st.integers(0, 40), min_size=60, max_size=160)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(series, st.integers(0, 2**32 - 1))
def test_swapping_a_and_b_flips_the_lags(values, seed):
    a = np.array(values, dtype=float)
    b = np.random.default_rng(seed).permutation(a) + np.arange(a.size) % 3
    options = {"rate": 10, "window_s": 4, "step_s": 2, "max_lag_s": 1}
    ab = cross_correlation(a, b, **options)
    ba = cross_correlation(b, a, **options)
    np.testing.assert_allclose(ba.z, ab.z[:, ::-1], atol=1e-7)
    assert np.array_equal(np.isnan(ba.z), np.isnan(ab.z[:, ::-1]))


@settings(max_examples=40, deadline=None)
@given(series)
def test_identical_series_correlate_fully_at_lag_0(values):
    a = np.array(values, dtype=float)
    cc = cross_correlation(a, a, rate=10, window_s=4, step_s=2, max_lag_s=1)
    for i, start in enumerate(cc.starts_s):
        window = a[int(start * 10) : int(start * 10) + 40]
        if np.ptp(window) == 0:
            assert np.isnan(cc.z[i]).all()
        else:
            assert cc.z[i, cc.lag0] == pytest.approx(Z_MAX)
    assert np.nanmax(np.abs(cc.z), initial=0) <= Z_MAX + 1e-12


@settings(max_examples=40, deadline=None)
@given(st.integers(-20, 20), st.integers(0, 2**32 - 1))
def test_shifting_b_moves_the_peak(k, seed):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(600)
    b = np.roll(a, k)  # b[t + k] = a[t]: b follows a by k samples
    cc = cross_correlation(a, b, rate=10, window_s=20, step_s=10, max_lag_s=3)
    s = summarise(cc)
    assert s.best_lag_s == pytest.approx(k / 10)
    assert s.peak_z == pytest.approx(Z_MAX)


@settings(max_examples=60, deadline=None)
@given(
    series,
    st.floats(0.001, 1000),
    st.floats(-1e6, 1e6, allow_nan=False),
    st.floats(0.001, 1000),
    st.floats(-1e6, 1e6, allow_nan=False),
)
def test_scaling_and_offsets_leave_z_unchanged(values, scale_a, offset_a, scale_b, offset_b):
    a = np.array(values, dtype=float)
    b = np.roll(a, 3) + (np.arange(a.size) * 7 % 5)
    options = {"rate": 10, "window_s": 4, "step_s": 2, "max_lag_s": 1}
    plain_z = cross_correlation(a, b, **options).z
    moved = cross_correlation(scale_a * a + offset_a, scale_b * b + offset_b, **options).z
    assert np.array_equal(np.isnan(plain_z), np.isnan(moved))
    np.testing.assert_allclose(moved, plain_z, atol=1e-6)
    flipped = cross_correlation(-a, b, **options).z
    np.testing.assert_allclose(flipped, -plain_z, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(series, st.integers(0, 5), st.floats(-5, 5, allow_nan=False))
def test_constant_windows_are_nan_and_left_out(values, window, level):
    a = np.array(values, dtype=float)
    b = np.roll(a, 2) + np.arange(a.size) % 4
    start = window * 20
    assume(start + 40 <= a.size)
    a[start : start + 40] = level
    cc = cross_correlation(a, b, rate=10, window_s=4, step_s=2, max_lag_s=1)
    assert np.isnan(cc.z[window]).all()
    s = summarise(cc)
    finite = cc.z[np.isfinite(cc.z)]
    if finite.size:
        assert s.overall_z == pytest.approx(np.abs(finite).mean())
        assert s.overall_signed_z == pytest.approx(finite.mean())
    else:
        assert math.isnan(s.overall_z) and math.isnan(s.best_lag_s)
    assert s.valid_windows == int(np.isfinite(cc.z).any(axis=1).sum())


def test_all_constant_gives_nan_not_an_error():
    a = np.zeros(300)
    b = np.random.default_rng(0).standard_normal(300)
    result = synchrony(a, b, rate=10, window_s=10, step_s=5, max_lag_s=1, surrogates=20)
    assert math.isnan(result.summary.overall_z)
    assert math.isnan(result.chance.p_value)
    assert result.leader == "neither"
    assert result.summary.valid_windows == 0


def test_short_series_give_one_window():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(50), rng.standard_normal(50)
    cc = cross_correlation(a, b, rate=10, window_s=60, step_s=30, max_lag_s=5)
    assert cc.z.shape[0] == 1
    assert cc.window_s == pytest.approx(5.0)
    assert np.isfinite(cc.z).all()


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        cross_correlation([1.0, np.nan, 2.0], [1.0, 2.0, 3.0], rate=1, window_s=3, step_s=1, max_lag_s=0)
    with pytest.raises(ValueError):
        cross_correlation([1.0, 2.0], [1.0, 2.0, 3.0], rate=1, window_s=3, step_s=1, max_lag_s=0)


def test_smoothing_is_a_centred_moving_average():
    x = np.array([0.0, 0, 0, 10, 0, 0, 0])
    np.testing.assert_allclose(smooth(x, rate=10, seconds=0.3), [0, 0, 10 / 3, 10 / 3, 10 / 3, 0, 0])
    np.testing.assert_allclose(smooth(x, rate=10, seconds=0.05), x)
    assert smooth(np.arange(100.0), rate=10, seconds=0.5).size == 100
    np.testing.assert_allclose(smooth(np.ones(20), rate=10, seconds=0.5), np.ones(20))


def motion_like(pattern: np.ndarray, rng, noise=0.002) -> np.ndarray:
    """A motion-energy-like series from an on/off pattern (10 Hz): a few percent while moving, noise otherwise."""
    return pattern * rng.uniform(0.02, 0.06, pattern.size) + noise * rng.random(pattern.size)


@pytest.mark.parametrize("who", ["a", "b"])
def test_the_leader_is_found(who):
    rng = np.random.default_rng(5)
    first = on_off_pattern(6000, 10, rng)
    second = delayed(first, 10)  # 1.0 s later
    a, b = (first, second) if who == "a" else (second, first)
    result = synchrony(motion_like(a, rng), motion_like(b, rng), rate=10, surrogates=100, **PRESETS["standard"])
    assert result.leader == who
    assert result.summary.best_lag_s == pytest.approx(1.0 if who == "a" else -1.0, abs=0.2)
    assert result.chance.p_value < 0.05
    assert result.chance.effect_size > 3


def test_in_step_has_no_leader():
    rng = np.random.default_rng(6)
    pattern = on_off_pattern(3000, 10, rng)
    result = lead_follow(
        cross_correlation(
            smooth(motion_like(pattern, rng), 10, 0.5),
            smooth(motion_like(pattern, rng), 10, 0.5),
            rate=10,
            window_s=30,
            step_s=15,
            max_lag_s=3,
        )
    )
    assert result.leader == "neither"
    assert abs(result.best_lag_s) < 0.2


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_independent_movement_is_not_significant(seed):
    rng = np.random.default_rng(100 + seed)
    a = motion_like(on_off_pattern(6000, 10, rng), rng)
    b = motion_like(on_off_pattern(6000, 10, rng), rng)
    result = synchrony(a, b, rate=10, **PRESETS["standard"])
    assert result.chance.p_value > 0.05
    assert result.leader == "neither"


def test_moving_a_lot_is_not_synchrony():
    """Two people who both move most of the time, independently: high overall z, but no more than chance."""
    rng = np.random.default_rng(7)
    a = motion_like(on_off_pattern(6000, 10, rng, on=(2, 8), off=(0.2, 0.6)), rng)
    b = motion_like(on_off_pattern(6000, 10, rng, on=(2, 8), off=(0.2, 0.6)), rng)
    result = synchrony(a, b, rate=10, **PRESETS["standard"])
    assert result.summary.overall_z > 0.05
    assert result.chance.p_value > 0.05


def test_surrogates_are_reproducible_and_fast():
    rng = np.random.default_rng(8)
    a, b = rng.standard_normal(6000), rng.standard_normal(6000)
    options = {"rate": 10, **{k: v for k, v in PRESETS["standard"].items() if k != "smooth_s"}}
    started = time.perf_counter()
    first = surrogate_test(a, b, n=200, seed=3, **options)
    elapsed = time.perf_counter() - started
    second = surrogate_test(a, b, n=200, seed=3, **options)
    assert first.p_value == second.p_value and np.array_equal(first.values, second.values)
    assert first.values.size == 200 and np.isfinite(first.values).all()
    assert first.p_value == (np.sum(first.values >= first.observed) + 1) / 201
    assert first.effect_size == pytest.approx((first.observed - first.values.mean()) / first.values.std(ddof=1))
    assert elapsed < 2.0, f"200 surrogates of 10 minutes took {elapsed:.2f} s"


def test_segment_shuffles_are_derangements():
    rng = np.random.default_rng(0)
    orders = segment_shuffles(103, 10, 50, rng)
    assert orders.shape == (50, 103)
    for order in orders:
        assert sorted(order) == list(range(103))
        pieces = [value // 10 for value in order if value % 10 == 0]  # only pieces start at a multiple of 10
        assert sorted(pieces) == list(range(11))
        assert all(piece != place for place, piece in enumerate(pieces))


def test_one_rule_says_what_is_beyond_chance():
    """The rule the engine applies to every result (the product only shows the result's ``beyond_chance``)."""
    from attunement.analysis import synchrony

    # 19 surrogates, none as high as the observed: p = 1/20 = 0.05 exactly, which counts
    assert synchrony.beyond_chance(1 / 20)
    assert not synchrony.beyond_chance(2 / 20)
    assert not synchrony.beyond_chance(None) and not synchrony.beyond_chance(math.nan)

"""The published conventions (rMEA 1.3.0's MEAsmooth, MEAccf and shuffle; SUSY) on rMEA's own sample sessions in
../shared/reference/rmea/ (25 Hz, 10 minutes; `_smooth` files are rMEA's MEAsmooth of the `_raw` ones).

R is not here, so MEAccf is checked against a straightforward implementation written in this file from the
definition (one np.corrcoef per window and lag), and against structural facts of rMEA's windows."""

import math

import numpy as np
import pytest

from attunement.analysis.synchrony import (
    best_lags,
    cross_correlation,
    rmea_cross_correlation,
    rmea_fisher,
    rmea_results,
    rmea_shuffle,
    rmea_smooth,
    susy,
)

from .conftest import reference

RATE = 25.0
SESSIONS = ["normal_200_01", "normal_201_01", "dropout_100_01"]


def load(name: str) -> np.ndarray:
    data = np.loadtxt(reference(f"rmea/{name}.csv"), delimiter=",", skiprows=1)
    assert data.shape == (15000, 2)
    return data


def straightforward_meaccf(s1, s2, *, win, lag, inc, absolute=False):
    """MEAccf as the definition says, one cell at a time (all samples present)."""
    n_win = math.ceil((len(s1) - win - lag + 1) / inc)
    table = np.full((n_win, 2 * lag + 1), np.nan)
    for w in range(n_win):
        a = w * inc
        for j, k in enumerate(range(-lag, lag + 1)):
            if k >= 0:
                x, y = s1[a : a + win], s2[a + k : a + k + win]
            else:
                x, y = s1[a - k : a - k + win], s2[a : a + win]
            if np.sum(x != y) < 2 or np.all(x == x[0]) or np.all(y == y[0]):
                continue
            z = min(10.0, max(-10.0, np.arctanh(min(1.0, max(-1.0, np.corrcoef(x, y)[0, 1])))))
            table[w, j] = abs(z) if absolute else z
    return table


def which_max(row):
    """R's which.max: the first index of the largest value, NA left out."""
    best = None
    for i, value in enumerate(row):
        if not math.isnan(value) and (best is None or value > row[best]):
            best = i
    return best


@pytest.mark.parametrize("name", SESSIONS)
def test_measmooth_gives_rmeas_smoothed_files(name):
    raw, theirs = load(f"{name}_raw"), load(f"{name}_smooth")
    for column in range(2):
        ours = rmea_smooth(raw[:, column], RATE, 0.5)
        assert np.max(np.abs(ours - theirs[:, column])) < 1e-6
    assert (theirs[-5:] == 0).all()  # past the end R's sum is NA, set to 0: the last 5 samples at 25 Hz


def test_measmooth_window_and_missing_values():
    x = np.arange(1.0, 31.0)
    out = rmea_smooth(x, 25, 0.5)  # n = 12.5: samples t-6..t+5 (1-based), divided by 12.5
    assert out[19] == pytest.approx(sum(range(14, 26)) / 12.5)  # t = 20
    assert out[0] == pytest.approx(sum(range(1, 7)) / 12.5)  # t = 1: samples 1..6 only
    assert (out[-5:] == 0).all() and out[-6] != 0
    with_gap = x.copy()
    with_gap[15] = np.nan
    out = rmea_smooth(with_gap, 25, 0.5)
    assert math.isnan(out[15])
    assert out[12] == 0 and out[21] == 0  # their windows reach the missing value
    assert out[9] == pytest.approx(sum(range(4, 16)) / 12.5)
    assert np.array_equal(rmea_smooth(x, 10, 0.1), x)  # one sample: unchanged


@pytest.mark.parametrize("name", SESSIONS)
@pytest.mark.parametrize("absolute", [False, True])
def test_meaccf_on_the_real_sessions_equals_the_definition(name, absolute):
    smooth = load(f"{name}_smooth")
    s1, s2 = smooth[:, 0], smooth[:, 1]
    cc = cross_correlation(s1, s2, rate=RATE, window_s=60, step_s=30, max_lag_s=5, convention="rmea", absolute=absolute)
    expected = straightforward_meaccf(s1, s2, win=1500, lag=125, inc=750, absolute=absolute)
    assert cc.z.shape == expected.shape == (18, 251)
    assert np.array_equal(np.isnan(cc.z), np.isnan(expected))
    assert np.nanmax(np.abs(cc.z - expected)) < 1e-6
    results = rmea_results(cc)
    assert results.best_lag_s.tolist() == [cc.lags_s[which_max(row)] for row in expected]
    assert np.allclose(results.lag_zero, expected[:, 125], atol=1e-6)
    assert np.allclose(results.s1_lead, np.nanmean(expected[:, 126:], axis=1), atol=1e-6)
    assert np.allclose(results.s2_lead, np.nanmean(expected[:, :125], axis=1), atol=1e-6)
    assert np.allclose(results.s1_lead_0, np.nanmean(expected[:, 125:], axis=1), atol=1e-6)
    assert np.allclose(results.all_lags, np.nanmean(expected, axis=1), atol=1e-6)
    assert results.grand_average == pytest.approx(np.nanmean(expected), abs=1e-6)


def test_rmea_windows_differ_from_the_documented_convention():
    """The reported figures: 18 windows in rMEA's convention against 19 in ours, on 10 minutes at 25 Hz."""
    smooth = load("normal_200_01_smooth")
    args = {"rate": RATE, "window_s": 60, "step_s": 30, "max_lag_s": 5}
    rmea = cross_correlation(smooth[:, 0], smooth[:, 1], convention="rmea", **args)
    ours = cross_correlation(smooth[:, 0], smooth[:, 1], **args)
    assert ours.z.shape[0] == 19 and rmea.z.shape[0] == 18
    assert rmea.starts_s.tolist() == [30.0 * w for w in range(18)]
    # The last window reads W + L samples: 510 s + 60 s + 5 s = 575 s, within the 600 s.
    assert rmea.starts_s[-1] + rmea.window_s + 5 <= 600
    assert math.ceil((15000 - 1500 - 125 + 1) / 750) == 18
    assert not np.allclose(rmea.z, ours.z[:18], equal_nan=True)


def test_missing_cells_fisher_bounds_and_which_max():
    rng = np.random.default_rng(3)
    s1 = rng.normal(size=200)
    # Identical: every lag-0 cell is missing; a straight line of the other is r = 1, so z = 10.
    same = rmea_cross_correlation(s1, s1.copy(), rate=1, window_s=50, step_s=50, max_lag_s=2)
    assert np.isnan(same.z[:, 2]).all() and np.isfinite(same.z[:, [0, 1, 3, 4]]).all()
    line = rmea_cross_correlation(s1, 2 * s1 + 1, rate=1, window_s=50, step_s=50, max_lag_s=2)
    assert (line.z[:, 2] == 10).all()
    mirrored = {"rate": 1, "window_s": 50, "step_s": 50, "max_lag_s": 2}
    assert (rmea_cross_correlation(s1, -s1, absolute=False, **mirrored).z[:, 2] == -10).all()
    # Like MEAccf, absolute values unless asked otherwise (its ABS = TRUE), by either name.
    assert (rmea_cross_correlation(s1, -s1, **mirrored).z[:, 2] == 10).all()
    assert (cross_correlation(s1, -s1, convention="rmea", **mirrored).z[:, 2] == 10).all()
    assert (cross_correlation(s1, -s1, **mirrored).z[:, 2] < -3).all()  # the app's own convention is signed
    # Constant: a still stretch of s2 makes the cells that read only it missing.
    s2 = rng.normal(size=200)
    s2[:60] = 4.0
    still = rmea_cross_correlation(s1, s2, rate=1, window_s=50, step_s=50, max_lag_s=2)
    assert np.isnan(still.z[0]).all() and np.isfinite(still.z[1:]).all()
    assert rmea_fisher([-1.0, 0.5, 1.0, np.nan], absolute=True).tolist()[:3] == [10.0, np.arctanh(0.5), 10.0]
    # which.max: the first of equal highest values, and NaN for a window with none.
    cc = rmea_cross_correlation(s1, s2, rate=1, window_s=50, step_s=50, max_lag_s=2)
    tied = type(cc)(**{**cc.__dict__, "z": np.array([[0.1, 0.5, 0.2, 0.5, 0.0], [np.nan] * 5, *cc.z[2:]])})
    lags = best_lags(tied)
    assert lags[0] == -1.0 and math.isnan(lags[1])


def test_windows_with_missing_values():
    rng = np.random.default_rng(4)
    s1, s2 = rng.normal(size=300), rng.normal(size=300)
    s2[10:50] = np.nan  # more than half of window 0's 52 samples
    s1[130] = np.nan  # one missing value in window 2: left out pairwise
    cc = rmea_cross_correlation(s1, s2, rate=1, window_s=50, step_s=50, max_lag_s=2, absolute=False)
    assert np.isnan(cc.z[0]).all()
    x, y = s1[100:150], s2[100:150]
    keep = ~np.isnan(x)
    assert cc.z[2, 2] == pytest.approx(np.arctanh(np.corrcoef(x[keep], y[keep])[0, 1]), abs=1e-12)
    assert np.isfinite(cc.z[1]).all()


def test_rmea_refuses_what_it_cannot_do():
    with pytest.raises(ValueError, match="too short"):
        rmea_cross_correlation(np.ones(100), np.ones(100), rate=1, window_s=90, step_s=10, max_lag_s=20)
    with pytest.raises(ValueError, match="whole number of samples"):
        rmea_cross_correlation(np.ones(100), np.ones(100), rate=25, window_s=1.01, step_s=1, max_lag_s=0)


def test_between_dyad_shuffle_pairs_like_rmea():
    rng = np.random.default_rng(5)
    dyads = [(rng.normal(size=n), rng.normal(size=n)) for n in (100, 90, 110)]
    pairs = rmea_shuffle(dyads)
    # combn(1:6, 2) is 15 pairs, less the 3 real ones, in R's order.
    assert len(pairs) == 12
    assert [(p.first, p.second) for p in pairs[:5]] == [
        ((0, 1), (1, 1)),
        ((0, 1), (2, 1)),
        ((0, 1), (1, 2)),
        ((0, 1), (2, 2)),
        ((1, 1), (2, 1)),
    ]
    assert all(p.first[0] != p.second[0] or p.first[1] == p.second[1] for p in pairs)
    assert pairs[0].s1.size == 90 and np.array_equal(pairs[0].s1, dyads[0][0][:90])
    roles = rmea_shuffle(dyads, keep_roles=True)
    assert len(roles) == 6 and all(p.first[1] == 1 and p.second[1] == 2 for p in roles)
    some = rmea_shuffle(dyads, size=4, seed=1)
    assert len(some) == 4 and some == rmea_shuffle(dyads, size=4, seed=1)


def straightforward_susy(x, y, segment, lag):
    """SUSY from its description, one segment pair and one lag at a time."""
    n = len(x) // segment

    def ccf_z(a, b, k):
        a, b = a - a.mean(), b - b.mean()
        if k >= 0:
            top = np.sum(a[k:] * b[: len(b) - k])
        else:
            top = np.sum(a[: len(a) + k] * b[-k:])
        return np.arctanh(top / math.sqrt(np.sum(a * a) * np.sum(b * b)))

    segs_x = [x[i * segment : (i + 1) * segment] for i in range(n)]
    segs_y = [y[i * segment : (i + 1) * segment] for i in range(n)]
    lags = range(-lag, lag + 1)
    real = np.array([np.mean([abs(ccf_z(segs_x[i], segs_y[i], k)) for i in range(n)]) for k in lags])
    pseudo = np.array(
        [np.mean([abs(ccf_z(segs_x[i], segs_y[h], k)) for i in range(n) for h in range(n) if h != i]) for k in lags]
    )
    return real, pseudo, (real.mean() - pseudo.mean()) / pseudo.std(ddof=1)


def test_susy_on_a_real_session_equals_its_definition():
    smooth = load("normal_200_01_smooth")
    x, y = smooth[:6000, 0], smooth[:6000, 1]  # 4 minutes: 8 segments of 30 s
    result = susy(x, y, rate=RATE, segment_s=30, max_lag_s=1)
    real, pseudo, effect = straightforward_susy(x, y, 750, 25)
    assert result.segments == 8 and result.pseudo_pairs == 56
    assert np.allclose(result.real_abs_z, real, atol=1e-9)
    assert np.allclose(result.pseudo_abs_z, pseudo, atol=1e-9)
    assert result.effect_size == pytest.approx(effect, abs=1e-6)
    assert result.z == pytest.approx(real.mean(), abs=1e-9)


def test_susy_finds_a_copy_and_not_independence():
    rng = np.random.default_rng(6)
    a = np.convolve(rng.normal(size=3000), np.ones(10) / 10, mode="same")
    copy = np.roll(a, 10) + 0.3 * rng.normal(size=3000)
    coupled = susy(a, copy, rate=10, segment_s=20, max_lag_s=2)
    other = np.convolve(rng.normal(size=3000), np.ones(10) / 10, mode="same")
    independent = susy(a, other, rate=10, segment_s=20, max_lag_s=2)
    # SUSY's ES divides by the spread of the surrogates' profile over lags, which is small: its values run large.
    assert coupled.effect_size > 10 * abs(independent.effect_size)
    assert coupled.z - coupled.z_pseudo > 0.1 and abs(independent.z - independent.z_pseudo) < 0.05
    assert coupled.effect_size_x_leads > coupled.effect_size_y_leads  # a leads: SUSY's negative lags

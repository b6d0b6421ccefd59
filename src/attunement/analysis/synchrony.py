"""Synchrony of two movement series: windowed lagged cross-correlation, lead and follow, and chance.

Conventions (those of motion energy analysis, MEA, and the R package rMEA, unless said otherwise):

* **Smoothing** (:func:`smooth`): a centred moving average, 0.5 s by default, applied to both series first.
* **Windows**: windows of ``window_s`` seconds starting at 0, ``step_s``, ``2 step_s``, ... as long as the whole
  window fits in the series (a remainder shorter than a window at the end is not used; a series shorter than one
  window gives one window covering all of it).
* **Lags and their sign**: at a lag of ``k`` samples (``k / rate`` seconds) the correlation is that of ``a[t]``
  with ``b[t + k]`` over the ``t`` for which *both* lie in the window (``window - |k|`` pairs; rMEA's convention
  of keeping lagged pairs inside the window). **A positive lag means b follows a**: what ``a`` does at time ``t``,
  ``b`` does ``lag`` seconds later, so ``a`` leads. Swapping ``a`` and ``b`` flips the sign of every lag and
  leaves the values otherwise unchanged.
* **r to z**: Pearson's r (with the means and spreads of the paired parts), clipped to ``±R_CLIP`` (0.999, so
  ``|z| <= 3.80``) and Fisher-transformed, ``z = arctanh(r)``.
* **Undefined values**: where either series is constant over a window, the whole window is NaN; where either
  lagged part is constant (or fewer than 3 pairs remain) that lag is NaN. NaN values are left out of every mean;
  a summary with nothing to average is NaN.
* **Summary** (:func:`summarise`): ``overall_z`` is the mean of the *absolute* z over all windows and lags
  (rMEA's "ABS" default: in-phase and anti-phase coupling both count), ``overall_signed_z`` the mean of the signed
  values, ``lag0_z`` the mean signed z at lag 0, ``profile`` the mean signed z at each lag across windows, and
  ``best_lag_s`` / ``peak_z`` the lag at which the profile is highest and its value.
* **Chance** (:func:`surrogate_test`): ``b`` is cut into segments (window length by default) that are shuffled so
  that none stays in place, ``n`` times with a fixed seed, and ``overall_z`` recomputed for each. Effect size
  ``(observed - mean) / sd`` of the surrogates; p-value ``(count(surrogate >= observed) + 1) / (n + 1)``.

The input series must be finite (no NaN or infinity) and sampled evenly at ``rate`` samples a second.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

R_CLIP = 0.999
MIN_PAIRS = 3

PRESETS = {
    # MEA conventions for sessions of 10 minutes or more: 60 s windows every 30 s, lags to ±5 s, 0.5 s smoothing.
    "standard": {"window_s": 60.0, "step_s": 30.0, "max_lag_s": 5.0, "smooth_s": 0.5},
    # Short sessions (about 5 minutes): more, shorter windows and a smaller lag range.
    "short": {"window_s": 30.0, "step_s": 15.0, "max_lag_s": 3.0, "smooth_s": 0.5},
}

LEAD_MIN_LAG_S = 0.2  # a best lag nearer zero than this is "in step": nobody leads
LEAD_MIN_DIFFERENCE = 0.05  # Fisher z by which the peak must beat the mirror lag for a leader to be named
ALPHA = 0.05  # significance level for naming a leader at all


def _finite_1d(x, name: str) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"{name} must be a one-dimensional series")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must contain only finite numbers")
    return x


def beyond_chance(p_value: float | None, alpha: float = ALPHA) -> bool:
    """The one rule for "more in step than chance": a p-value at or below `alpha`. (With 19 surrogates the
    smallest p-value possible is exactly 0.05, which counts.)"""
    return p_value is not None and math.isfinite(p_value) and p_value <= alpha


def smooth(x, rate: float, seconds: float) -> np.ndarray:
    """Centred moving average of ``x`` (sampled at ``rate`` Hz) over ``round(seconds * rate)`` samples (at least
    1, which leaves ``x`` unchanged). Near the ends the average is over the samples that exist."""
    x = _finite_1d(x, "x")
    n = max(1, int(round(seconds * rate)))
    if n == 1 or x.size == 0:
        return x.copy()
    before = (n - 1) // 2
    after = n - 1 - before
    total = np.concatenate(([0.0], np.cumsum(x)))
    index = np.arange(x.size)
    lo = np.clip(index - before, 0, x.size)
    hi = np.clip(index + after + 1, 0, x.size)
    return (total[hi] - total[lo]) / (hi - lo)


@dataclass(frozen=True)
class CrossCorrelation:
    """The windows x lags table of Fisher z values from :func:`cross_correlation`.

    ``z[i, j]`` is for the window starting at ``starts_s[i]`` (seconds, lasting ``window_s``) and the lag
    ``lags_s[j]`` (seconds; positive: b follows a). NaN where undefined (see the module notes)."""

    z: np.ndarray
    lags_s: np.ndarray
    starts_s: np.ndarray
    window_s: float
    step_s: float
    rate: float

    @property
    def ends_s(self) -> np.ndarray:
        return self.starts_s + self.window_s

    @property
    def lag0(self) -> int:
        """Column of lag 0."""
        return int(np.argmin(np.abs(self.lags_s)))


def _fast_length(n: int) -> int:
    """The smallest 2^a 3^b 5^c at least ``n`` (quick FFT sizes)."""
    best = 1 << max(0, (n - 1).bit_length())
    power5 = 1
    while power5 < best:
        power35 = power5
        while power35 < best:
            length = power35
            while length < n:
                length *= 2
            best = min(best, length)
            power35 *= 3
        power5 *= 5
    return best


def _geometry(n: int, rate: float, window_s: float, step_s: float, max_lag_s: float) -> tuple[int, np.ndarray, int]:
    """Window length, window starts (samples) and maximum lag (samples) for a series of ``n`` samples."""
    if rate <= 0 or window_s <= 0 or step_s <= 0 or max_lag_s < 0:
        raise ValueError("rate, window_s and step_s must be above 0 and max_lag_s at least 0")
    window = max(1, int(round(window_s * rate)))
    step = max(1, int(round(step_s * rate)))
    lag = int(round(max_lag_s * rate))
    if n >= window:
        starts = np.arange(0, n - window + 1, step)
    elif n > 0:
        window, starts = n, np.zeros(1, dtype=np.int64)
    else:
        starts = np.zeros(0, dtype=np.int64)
    lag = min(lag, max(0, window - MIN_PAIRS))
    return window, starts, lag


def _window_z(x: np.ndarray, ys: np.ndarray, lag: int, nfft: int) -> np.ndarray:
    """Fisher z at lags -lag..lag of one window of a (``x``, shape (W,)) against windows of several b series
    (``ys``, shape (m, W)); returns (m, 2 lag + 1)."""
    w = x.size
    m = ys.shape[0]
    out = np.full((m, 2 * lag + 1), np.nan)
    x_range = np.ptp(x)
    if x_range == 0:
        return out
    y_range = np.ptp(ys, axis=1)
    rows = y_range > 0
    if not rows.any():
        return out
    ys, y_range = ys[rows], y_range[rows]
    xc = x - x.mean()
    yc = ys - ys.mean(axis=1, keepdims=True)
    zero = np.zeros(1)
    cx = np.concatenate((zero, np.cumsum(xc)))
    cxx = np.concatenate((zero, np.cumsum(xc * xc)))
    cy = np.concatenate((np.zeros((yc.shape[0], 1)), np.cumsum(yc, axis=1)), axis=1)
    cyy = np.concatenate((np.zeros((yc.shape[0], 1)), np.cumsum(yc * yc, axis=1)), axis=1)
    # sum_t xc[t] * yc[t + k] for every k, by FFT (no wrap-around: nfft >= W + lag).
    product = np.fft.irfft(np.conj(np.fft.rfft(xc, nfft))[None, :] * np.fft.rfft(yc, nfft, axis=1), nfft, axis=1)
    ks = np.arange(-lag, lag + 1)
    sxy = product[:, ks % nfft]
    lo_x, hi_x = np.maximum(0, -ks), w - np.maximum(0, ks)
    lo_y, hi_y = np.maximum(0, ks), w - np.maximum(0, -ks)
    pairs = (w - np.abs(ks)).astype(np.float64)
    sx, sxx = cx[hi_x] - cx[lo_x], cxx[hi_x] - cxx[lo_x]
    sy, syy = cy[:, hi_y] - cy[:, lo_y], cyy[:, hi_y] - cyy[:, lo_y]
    var_x = sxx - sx * sx / pairs
    var_y = syy - sy * sy / pairs
    cov = sxy - sx * sy / pairs
    # Variances below rounding level of the window's own scale mean "constant over the lagged part".
    tol_x = 1e-10 * w * x_range**2
    tol_y = 1e-10 * w * (y_range**2)[:, None]
    valid = (var_x > tol_x)[None, :] & (var_y > tol_y) & (pairs >= MIN_PAIRS)[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        r = cov / np.sqrt(var_x[None, :] * var_y)
    z = np.where(valid, np.arctanh(np.clip(np.where(valid, r, 0.0), -R_CLIP, R_CLIP)), np.nan)
    out[rows] = z
    return out


def _table(a: np.ndarray, bs: np.ndarray, window: int, starts: np.ndarray, lag: int) -> np.ndarray:
    """z for a against each row of ``bs``: shape (m, windows, 2 lag + 1)."""
    nfft = _fast_length(window + lag)
    out = np.empty((bs.shape[0], starts.size, 2 * lag + 1))
    for i, s in enumerate(starts):
        out[:, i, :] = _window_z(a[s : s + window], bs[:, s : s + window], lag, nfft)
    return out


def cross_correlation(a, b, *, rate: float, window_s: float, step_s: float, max_lag_s: float) -> CrossCorrelation:
    """Windowed lagged cross-correlation of two evenly sampled series, as Fisher z.

    ``a`` and ``b``: finite numbers, the same length, ``rate`` samples a second (no smoothing is done here: see
    :func:`smooth`). Windows of ``window_s`` seconds every ``step_s`` seconds; lags from ``-max_lag_s`` to
    ``+max_lag_s`` in steps of one sample (the lag range shrinks if a window is too short for it).

    At lag ``k`` samples, window ``[s, s + W)``: Pearson r of ``a[t]`` and ``b[t + k]`` for all ``t`` with both
    ``t`` and ``t + k`` inside the window, clipped to ±0.999, then ``arctanh``. **Positive lag: b follows a** (a
    leads by that many seconds). NaN for a window in which either series is constant, or a lag at which either
    lagged part is. Returns a :class:`CrossCorrelation`.
    """
    a, b = _finite_1d(a, "a"), _finite_1d(b, "b")
    if a.size != b.size:
        raise ValueError("a and b must have the same length")
    window, starts, lag = _geometry(a.size, rate, window_s, step_s, max_lag_s)
    z = _table(a, b[None, :], window, starts, lag)[0] if starts.size else np.zeros((0, 2 * lag + 1))
    return CrossCorrelation(
        z=z,
        lags_s=np.arange(-lag, lag + 1) / rate,
        starts_s=starts / rate,
        window_s=window / rate,
        step_s=step_s,
        rate=rate,
    )


def _nanmean(values: np.ndarray, axis=None):
    finite = np.isfinite(values)
    count = finite.sum(axis=axis)
    total = np.where(finite, values, 0.0).sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def overall_z(z: np.ndarray) -> np.ndarray:
    """Mean absolute z over the last two axes (windows and lags), NaN values left out; for a stack of tables
    (m, windows, lags) one value per table."""
    z = np.asarray(z)
    return _nanmean(np.abs(z).reshape(*z.shape[:-2], -1), axis=-1)


@dataclass(frozen=True)
class Summary:
    """See :func:`summarise`. Values are floats (NaN when nothing is defined); ``profile`` is per lag."""

    overall_z: float
    overall_signed_z: float
    lag0_z: float
    best_lag_s: float
    peak_z: float
    profile: np.ndarray
    windows: int
    valid_windows: int


def summarise(cc: CrossCorrelation) -> Summary:
    """Summary of a :class:`CrossCorrelation`, leaving NaN values out:

    * ``overall_z``: mean of |z| over all windows and lags; ``overall_signed_z``: mean of z;
    * ``lag0_z``: mean z at lag 0 over windows;
    * ``profile``: mean z at each lag over windows; ``best_lag_s``: the lag (seconds, positive = b follows a) at
      which the profile is highest (the one nearest 0 on ties); ``peak_z``: the profile there;
    * ``windows``: how many windows; ``valid_windows``: how many have at least one defined value.
    """
    z = cc.z
    windows = z.shape[0]
    valid = int(np.isfinite(z).any(axis=1).sum()) if windows else 0
    profile = _nanmean(z, axis=0) if windows else np.full(z.shape[1], np.nan)
    if np.isfinite(profile).any():
        peak = np.nanmax(profile)
        candidates = np.flatnonzero(profile == peak)
        best = int(candidates[np.argmin(np.abs(cc.lags_s[candidates]))])
        best_lag, peak_z = float(cc.lags_s[best]), float(peak)
    else:
        best_lag, peak_z = math.nan, math.nan
    return Summary(
        overall_z=float(overall_z(z)) if windows else math.nan,
        overall_signed_z=float(_nanmean(z)) if windows else math.nan,
        lag0_z=float(profile[cc.lag0]) if windows else math.nan,
        best_lag_s=best_lag,
        peak_z=peak_z,
        profile=profile,
        windows=windows,
        valid_windows=valid,
    )


@dataclass(frozen=True)
class LeadFollow:
    """Who leads: ``"a"``, ``"b"`` or ``"neither"``; ``best_lag_s`` (positive: b follows a) and ``difference``,
    the profile's peak minus its value at the mirror lag (Fisher z), with ``reason`` in words."""

    leader: str
    best_lag_s: float
    difference: float
    reason: str


def lead_follow(
    cc: CrossCorrelation, *, min_lag_s: float = LEAD_MIN_LAG_S, min_difference: float = LEAD_MIN_DIFFERENCE
) -> LeadFollow:
    """Whether b follows a (``"a"`` leads) or a follows b (``"b"`` leads), from the side of zero on which the mean
    cross-correlation profile (mean z per lag over windows) peaks.

    The leader is named only when the peak is at least ``min_lag_s`` seconds from zero (nearer is moving in step)
    and beats the profile at the mirror lag (the same lag on the other side of zero) by at least
    ``min_difference`` in Fisher z; otherwise ``"neither"``. Significance against chance is not checked here (see
    :func:`synchrony`, which also requires it).
    """
    s = summarise(cc)
    if not math.isfinite(s.best_lag_s):
        return LeadFollow("neither", math.nan, math.nan, "no defined correlation")
    best = int(np.argmin(np.abs(cc.lags_s - s.best_lag_s)))
    mirror = cc.z.shape[1] - 1 - best
    mirror_value = s.profile[mirror]
    difference = float(s.peak_z - mirror_value) if math.isfinite(mirror_value) else math.inf
    if abs(s.best_lag_s) < min_lag_s - 1e-9:
        return LeadFollow("neither", s.best_lag_s, difference, "moving in step (peak near lag 0)")
    if difference < min_difference:
        return LeadFollow("neither", s.best_lag_s, difference, "no clear difference between the two directions")
    leader = "a" if s.best_lag_s > 0 else "b"
    return LeadFollow(leader, s.best_lag_s, difference, f"{'b follows a' if leader == 'a' else 'a follows b'}")


@dataclass(frozen=True)
class SurrogateTest:
    """Result of :func:`surrogate_test`. ``values`` are the surrogates' ``overall_z``; ``window_peak_mean`` and
    ``window_peak_sd`` the mean and standard deviation over surrogates of each window's highest z (for judging
    single windows)."""

    observed: float
    mean: float
    sd: float
    effect_size: float
    p_value: float
    n: int
    segment_s: float
    seed: int
    values: np.ndarray = field(repr=False)
    window_peak_mean: np.ndarray = field(repr=False)
    window_peak_sd: np.ndarray = field(repr=False)


def segment_shuffles(n_samples: int, segment: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` index arrays (shape (n, n_samples)) that cut a series into consecutive segments of ``segment``
    samples (the last one shorter if need be) and put them back in a random order in which no segment keeps its
    place (a derangement; with one segment, the order is unchanged)."""
    bounds = list(range(0, n_samples, segment)) + [n_samples]
    pieces = [np.arange(lo, hi) for lo, hi in zip(bounds, bounds[1:], strict=False)]
    k = len(pieces)
    orders = np.empty((n, k), dtype=np.int64)
    for i in range(n):
        while True:
            order = rng.permutation(k)
            if k < 2 or not np.any(order == np.arange(k)):
                break
        orders[i] = order
    return np.stack([np.concatenate([pieces[j] for j in order]) for order in orders]) if k else np.zeros((n, 0), int)


def _segment_length(n_samples: int, window: int, lag: int, segment_s: float | None, rate: float) -> int:
    if segment_s is not None:
        return max(1, int(round(segment_s * rate)))
    # The window length, but at least 8 segments when the series is short, and no shorter than two lag ranges.
    return max(1, min(window, n_samples // 8), min(window, 2 * lag + 1))


def surrogate_test(
    a,
    b,
    *,
    rate: float,
    window_s: float,
    step_s: float,
    max_lag_s: float,
    n: int = 200,
    seed: int = 0,
    segment_s: float | None = None,
    observed: CrossCorrelation | None = None,
) -> SurrogateTest:
    """Is ``overall_z`` of a and b higher than chance? Compares it with ``n`` surrogates in which b is cut into
    segments (``segment_s`` seconds; default the window length, shortened so there are at least 8 segments but not
    below twice the lag range) that are shuffled so that none stays in place (random generator seeded with
    ``seed``: the same inputs always give the same answer). Surrogates keep each series' own movement, so two people
    who simply move a lot are not called synchronous.

    Effect size = (observed - mean of surrogates) / standard deviation of surrogates (NaN if that is 0);
    p-value = (number of surrogates >= observed + 1) / (n + 1). ``observed`` may pass the already computed
    :func:`cross_correlation` of a and b. Vectorised: the surrogates are done in batches, all lags of a window at
    once by FFT.
    """
    a, b = _finite_1d(a, "a"), _finite_1d(b, "b")
    if a.size != b.size:
        raise ValueError("a and b must have the same length")
    window, starts, lag = _geometry(a.size, rate, window_s, step_s, max_lag_s)
    if observed is None:
        observed = cross_correlation(a, b, rate=rate, window_s=window_s, step_s=step_s, max_lag_s=max_lag_s)
    observed_value = float(overall_z(observed.z)) if starts.size else math.nan
    segment = _segment_length(a.size, window, lag, segment_s, rate)
    rng = np.random.default_rng(seed)
    values = np.empty(n)
    peaks = np.empty((n, starts.size))
    batch = max(1, min(n, 2_000_000 // max(1, a.size)))  # about 16 MB of surrogate series at a time
    for first in range(0, n, batch):
        count = min(batch, n - first)
        shuffled = b[segment_shuffles(b.size, segment, count, rng)]
        z = _table(a, shuffled, window, starts, lag) if starts.size else np.zeros((count, 0, 2 * lag + 1))
        values[first : first + count] = overall_z(z) if starts.size else np.nan
        finite = np.isfinite(z).any(axis=2)
        peaks[first : first + count] = np.where(finite, np.nanmax(np.where(np.isfinite(z), z, -np.inf), axis=2), np.nan)
    usable = values[np.isfinite(values)]
    mean = float(usable.mean()) if usable.size else math.nan
    sd = float(usable.std(ddof=1)) if usable.size > 1 else math.nan
    if math.isfinite(observed_value) and usable.size:
        effect = (observed_value - mean) / sd if sd and math.isfinite(sd) and sd > 0 else math.nan
        p = (int(np.sum(usable >= observed_value)) + 1) / (usable.size + 1)
    else:
        effect, p = math.nan, math.nan
    return SurrogateTest(
        observed=observed_value,
        mean=mean,
        sd=sd,
        effect_size=effect,
        p_value=p,
        n=n,
        segment_s=segment / rate,
        seed=seed,
        values=values,
        window_peak_mean=_nanmean(peaks, axis=0) if n else np.full(starts.size, np.nan),
        window_peak_sd=_nanstd(peaks, axis=0),
    )


def _nanstd(values: np.ndarray, axis: int) -> np.ndarray:
    finite = np.isfinite(values)
    count = finite.sum(axis=axis)
    mean = _nanmean(values, axis=axis)
    deviation = np.where(finite, values - np.expand_dims(mean, axis), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 1, np.sqrt((deviation**2).sum(axis=axis) / np.maximum(count - 1, 1)), np.nan)


@dataclass(frozen=True)
class Synchrony:
    """Everything :func:`synchrony` works out. ``leader`` is ``"a"``, ``"b"`` or ``"neither"``."""

    table: CrossCorrelation
    summary: Summary
    lead: LeadFollow
    chance: SurrogateTest
    leader: str
    leader_reason: str
    parameters: dict


def synchrony(
    a,
    b,
    *,
    rate: float,
    window_s: float = 60.0,
    step_s: float = 30.0,
    max_lag_s: float = 5.0,
    smooth_s: float = 0.5,
    surrogates: int = 200,
    seed: int = 0,
    alpha: float = ALPHA,
    min_lag_s: float = LEAD_MIN_LAG_S,
    min_difference: float = LEAD_MIN_DIFFERENCE,
) -> Synchrony:
    """The whole synchrony analysis of two raw movement series sampled at ``rate`` Hz: :func:`smooth` both over
    ``smooth_s`` seconds, :func:`cross_correlation`, :func:`summarise`, :func:`lead_follow` and
    :func:`surrogate_test` (``surrogates`` shuffles, ``seed``). The leader is the one from :func:`lead_follow`, but
    ``"neither"`` when the synchrony is not beyond chance (p-value above ``alpha``): nobody can be said to lead
    when the two are not coupled. Positive lags: b follows a."""
    a = smooth(a, rate, smooth_s)
    b = smooth(b, rate, smooth_s)
    table = cross_correlation(a, b, rate=rate, window_s=window_s, step_s=step_s, max_lag_s=max_lag_s)
    summary_ = summarise(table)
    lead = lead_follow(table, min_lag_s=min_lag_s, min_difference=min_difference)
    chance = surrogate_test(
        a, b, rate=rate, window_s=window_s, step_s=step_s, max_lag_s=max_lag_s, n=surrogates, seed=seed, observed=table
    )
    leader, reason = lead.leader, lead.reason
    if leader != "neither" and not beyond_chance(chance.p_value, alpha):
        leader, reason = "neither", f"synchrony not beyond chance (p > {alpha:g})"
    parameters = {
        "rate_hz": rate,
        "window_s": window_s,
        "step_s": step_s,
        "max_lag_s": max_lag_s,
        "smooth_s": smooth_s,
        "surrogates": surrogates,
        "seed": seed,
        "segment_s": chance.segment_s,
        "alpha": alpha,
        "lead_min_lag_s": min_lag_s,
        "lead_min_difference_z": min_difference,
        "r_clip": R_CLIP,
    }
    return Synchrony(table, summary_, lead, chance, leader, reason, parameters)

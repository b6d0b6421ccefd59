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
* **Single windows** (:func:`window_chance`): each window's highest z against the same window in surrogates made
  by turning b round in time (:func:`window_shifts`), with a p-value per window and one adjusted for the number
  of windows (maximum statistic).
* **Published conventions**: rMEA 1.3.0 (:func:`rmea_smooth`, ``cross_correlation(..., convention="rmea")``,
  :func:`rmea_results`, :func:`rmea_shuffle`) and SUSY (:func:`susy`), at the end of this module.

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
    convention: str = "window"  # "window" (this module's) or "rmea" (rMEA 1.3.0's MEAccf)
    absolute: bool = False  # rMEA's ABS: |z| after the transform

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


def cross_correlation(
    a,
    b,
    *,
    rate: float,
    window_s: float,
    step_s: float,
    max_lag_s: float,
    convention: str = "window",
    absolute: bool | None = None,
) -> CrossCorrelation:
    """Windowed lagged cross-correlation of two evenly sampled series, as Fisher z.

    ``convention="rmea"`` gives rMEA 1.3.0's ``MEAccf`` instead, with the same arguments (``winSec``,
    ``incSec``, ``lagSec``), ``absolute`` being its ``ABS`` and, as there, true unless given: see
    :func:`rmea_cross_correlation`. The rest of this text is about the default convention, ``"window"``, which has
    no absolute values.

    ``a`` and ``b``: finite numbers, the same length, ``rate`` samples a second (no smoothing is done here: see
    :func:`smooth`). Windows of ``window_s`` seconds every ``step_s`` seconds; lags from ``-max_lag_s`` to
    ``+max_lag_s`` in steps of one sample (the lag range shrinks if a window is too short for it).

    At lag ``k`` samples, window ``[s, s + W)``: Pearson r of ``a[t]`` and ``b[t + k]`` for all ``t`` with both
    ``t`` and ``t + k`` inside the window, clipped to ±0.999, then ``arctanh``. **Positive lag: b follows a** (a
    leads by that many seconds). NaN for a window in which either series is constant, or a lag at which either
    lagged part is. Returns a :class:`CrossCorrelation`.
    """
    if convention == "rmea":
        return rmea_cross_correlation(
            a, b, rate=rate, window_s=window_s, step_s=step_s, max_lag_s=max_lag_s, absolute=absolute is not False
        )
    if convention != "window":
        raise ValueError('convention must be "window" or "rmea"')
    if absolute:
        raise ValueError("absolute values are only offered with the rMEA convention")
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
    """Result of :func:`surrogate_test`. ``values`` are the surrogates' ``overall_z``. For judging single
    windows: ``window_peaks`` (surrogates x windows), each window's highest z over lags in surrogates made by
    turning b round in time (circular shifts, :func:`window_shifts`; the segment shuffles when the series is too
    short for shifts), and ``window_peak_mean`` / ``window_peak_sd`` their mean and standard deviation per
    window."""

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
    window_peaks: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 0)))  # (n, windows)


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


def window_shifts(n_samples: int, window: int, lag: int, n: int) -> np.ndarray:
    """``n`` circular shifts (samples) of b for judging single windows, evenly spread from ``window + lag`` to
    ``n_samples - window - lag`` so that no window of a meets b's own stretch of that window (within the lag
    range); none when the series is too short for that (then windows are judged on the segment shuffles)."""
    lo, hi = window + lag, n_samples - window - lag
    if n <= 0 or hi < lo:
        return np.zeros(0, dtype=np.int64)
    return np.unique(np.round(np.linspace(lo, hi, n)).astype(np.int64))


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
    shifts = window_shifts(a.size, window, lag, n)
    if shifts.size and starts.size:
        peaks = np.empty((shifts.size, starts.size))
        for first in range(0, shifts.size, batch):
            chunk = shifts[first : first + batch]
            shifted = np.stack([np.roll(b, int(d)) for d in chunk])
            z = _table(a, shifted, window, starts, lag)
            finite = np.isfinite(z).any(axis=2)
            peaks[first : first + chunk.size] = np.where(
                finite, np.nanmax(np.where(np.isfinite(z), z, -np.inf), axis=2), np.nan
            )
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
        window_peaks=peaks,
    )


@dataclass(frozen=True)
class WindowChance:
    """How each window's strongest synchrony compares with the same window in the surrogates (see
    :func:`window_chance`). Arrays with one value per window, NaN where it cannot be told."""

    peak_z: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    score: np.ndarray
    p_value: np.ndarray
    adjusted_p_value: np.ndarray


def window_peaks(cc: CrossCorrelation) -> tuple[np.ndarray, np.ndarray]:
    """Each window's highest z over lags and the lag (seconds) where it is (the first on ties); NaN for a window
    with no defined value."""
    z = cc.z
    finite = np.isfinite(z)
    rows = finite.any(axis=1)
    best = np.argmax(np.where(finite, z, -np.inf), axis=1) if z.size else np.zeros(z.shape[0], dtype=np.int64)
    peak = np.where(rows, z[np.arange(z.shape[0]), best] if z.size else np.nan, np.nan)
    lag = np.where(rows, cc.lags_s[best] if z.size else np.nan, np.nan)
    return peak.astype(np.float64), lag.astype(np.float64)


def window_chance(peak_z, chance: SurrogateTest) -> WindowChance:
    """Each window against a surrogate distribution *for that window*: the highest z over lags of the same
    window in each surrogate (b turned round in time by a circular shift, or segment-shuffled when the series is too
    short for the shifts; see :func:`surrogate_test`).

    * ``score``: ``(peak - mean) / sd`` of the window's surrogate peaks;
    * ``p_value``: ``(count(surrogate peak >= peak) + 1) / (n + 1)`` for that window alone;
    * ``adjusted_p_value``: the same against the *highest score over all windows* of each surrogate (a
      single-step max-statistic correction: a window is beyond chance at ``alpha`` only if its score beats what
      the best window of a chance pairing reaches in all but ``alpha`` of the surrogates). This controls the
      chance of calling any window of a session in step when none is (family-wise error), however many windows.
    """
    peak = np.asarray(peak_z, dtype=np.float64)
    mean = np.asarray(chance.window_peak_mean, dtype=np.float64)
    sd = np.asarray(chance.window_peak_sd, dtype=np.float64)
    surrogate = np.asarray(chance.window_peaks, dtype=np.float64)
    usable = np.isfinite(mean) & np.isfinite(sd) & (sd > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(usable & np.isfinite(peak), (peak - mean) / np.where(usable, sd, 1.0), np.nan)
        surrogate_score = np.where(usable[None, :], (surrogate - mean) / np.where(usable, sd, 1.0), np.nan)
    n_valid = np.isfinite(surrogate).sum(axis=0)
    beaten = (np.where(np.isfinite(surrogate), surrogate, -np.inf) >= peak[None, :]).sum(axis=0)
    p = np.where(np.isfinite(peak) & (n_valid > 0), (beaten + 1) / (n_valid + 1), np.nan)
    finite_scores = np.isfinite(surrogate_score)
    best = np.where(
        finite_scores.any(axis=1), np.max(np.where(finite_scores, surrogate_score, -np.inf), axis=1), np.nan
    )
    best = best[np.isfinite(best)]
    adjusted = np.array(
        [
            (np.sum(best >= value) + 1) / (best.size + 1) if math.isfinite(value) and best.size else math.nan
            for value in score
        ]
    )
    return WindowChance(peak_z=peak, mean=mean, sd=sd, score=score, p_value=p, adjusted_p_value=adjusted)


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


# --- The published conventions: rMEA 1.3.0 and SUSY ------------------------------------------------------------
#
# Written from the packages' documented behaviour and their R sources, to give the same numbers: rMEA's
# MEAsmooth, MEAccf (with its ccfRes summaries) and shuffle; SUSY's susy. Their indices are 1-based in R and
# 0-based here.

R_FLT_EPSILON = 1.1920928955078125e-07  # R's `from:to` adds this before counting its steps
RMEA_Z_CLIP = 10.0  # rMEA's fisher.r2z bounds z to ±10


def _series_with_gaps(x, name: str) -> np.ndarray:
    """A 1-D float series in which NaN marks a missing value (R's NA); infinities are refused."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"{name} must be a one-dimensional series")
    if np.isinf(x).any():
        raise ValueError(f"{name} must contain only finite numbers or NaN for missing values")
    return x


def rmea_smooth(x, rate: float, seconds: float = 0.5) -> np.ndarray:
    """rMEA's ``MEAsmooth`` (its moving average "based on SAS proc expand") of one series, exactly.

    With ``n = seconds * rate`` (12.5 at 25 Hz: not a whole number) and ``h = (n - 1) / 2``, the value at
    sample ``t`` (1-based) is the sum of the samples R's ``x[i1:i2]`` reads, divided by ``n``, where
    ``i1 = max(t - h, 1)`` and ``i2 = t + h``; R's ``:`` steps by 1 from ``i1`` and R drops the fraction of each
    index, so at 25 Hz the window is ``t - 6 .. t + 5`` (12 samples) divided by 12.5. Near the start fewer samples
    are summed (still divided by ``n``); where the window reaches past the end or over a missing value (NaN) the
    sum is missing and set to 0; missing values stay missing. ``seconds * rate`` below 1 is refused.
    """
    x = _series_with_gaps(x, "x")
    n = seconds * rate
    if not n >= 1:
        raise ValueError("the smoothing window must be at least one sample long")
    size = x.size
    if size == 0:
        return x.copy()
    half = (n - 1) / 2
    t = np.arange(1, size + 1, dtype=np.float64)
    first = np.maximum(t - half, 1.0)
    last = t + half
    count = np.floor(last - first + 1 + R_FLT_EPSILON).astype(np.int64)
    lo = np.floor(first).astype(np.int64)  # 1-based indices lo .. lo + count - 1
    hi = lo + count - 1
    missing = np.isnan(x)
    total = np.concatenate(([0.0], np.cumsum(np.where(missing, 0.0, x))))
    gaps = np.concatenate(([0], np.cumsum(missing)))
    inside = hi <= size
    hi_c = np.minimum(hi, size)
    sums = total[hi_c] - total[lo - 1]
    holes = gaps[hi_c] - gaps[lo - 1]
    out = np.where(inside & (holes == 0), sums / n, 0.0)
    out[missing] = np.nan
    return out


def _whole_samples(seconds: float, rate: float, what: str) -> int:
    samples = seconds * rate
    whole = int(round(samples))
    if abs(samples - whole) > 1e-9 or whole < 0:
        raise ValueError(f"{what} must be a whole number of samples for the rMEA convention")
    return whole


def _rmea_geometry(n: int, rate: float, window_s: float, step_s: float, max_lag_s: float) -> tuple[int, int, int, int]:
    """rMEA's window, increment, lag (samples) and number of windows ``ceil((N - W - L + 1) / inc)``."""
    if rate <= 0 or window_s <= 0 or step_s <= 0 or max_lag_s < 0:
        raise ValueError("rate, window_s and step_s must be above 0 and max_lag_s at least 0")
    window = _whole_samples(window_s, rate, "The window")
    step = _whole_samples(step_s, rate, "The step")
    lag = _whole_samples(max_lag_s, rate, "The lag range")
    if window < 1 or step < 1:
        raise ValueError("The window and the step must be at least one sample")
    windows = math.ceil((n - window - lag + 1) / step)
    if windows <= 0:
        raise ValueError("The series is too short for one whole window with its lags (rMEA stops here too)")
    return window, step, lag, windows


def _rows_against(fixed: np.ndarray, other: np.ndarray, window: int, count: int, offset: int) -> np.ndarray:
    """Pearson r of ``fixed`` (W samples) with ``other[offset + j : offset + j + W]`` for j = 0..count-1, each NaN
    where rMEA's MEAccf leaves the cell missing: the two vectors differ in fewer than 2 places (identical), or
    either is constant. r is clamped to [-1, 1] as R's ``cor`` does. ``fixed`` and ``other`` have no NaN."""
    out = np.full(count, np.nan)
    if count == 0:
        return out
    part = other[offset : offset + count + window - 1]
    if np.all(fixed == fixed[0]):
        return out
    # Constant rows, exactly: no change between neighbours inside the row.
    changes = np.concatenate(([0], np.cumsum(part[1:] != part[:-1])))
    constant = (changes[window - 1 : window - 1 + count] - changes[:count]) == 0
    # Identical (or differing in one place): R's sum(x != y) < 2.
    rows = np.lib.stride_tricks.sliding_window_view(part, window)
    differing = (rows != fixed[None, :]).sum(axis=1)
    fc = fixed - fixed.mean()
    sff = float(fc @ fc)
    centre = part.mean()
    pc = part - centre
    c1 = np.concatenate(([0.0], np.cumsum(pc)))
    c2 = np.concatenate(([0.0], np.cumsum(pc * pc)))
    s1 = c1[window : window + count] - c1[:count]
    sgg = (c2[window : window + count] - c2[:count]) - s1 * s1 / window
    # sum_t fc[t] * (g[t] - mean g) = sum_t fc[t] * pc[j + t] - (mean of pc over the row) * sum fc.
    cross = np.correlate(pc, fc, mode="valid")[:count] - (s1 / window) * fc.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        r = cross / np.sqrt(sff * np.maximum(sgg, 0.0))
    r = np.clip(r, -1.0, 1.0)
    valid = ~constant & (differing >= 2) & (sgg > 0)
    out[valid] = r[valid]
    return out


def _rmea_cell_with_gaps(x: np.ndarray, y: np.ndarray) -> float:
    """One cell as rMEA computes it when the window has missing values: NA when fewer than 2 places differ
    (NA left out), else R's ``cor`` on the complete pairs (NA when either part is then constant or nothing is
    left)."""
    both = ~(np.isnan(x) | np.isnan(y))
    if int(np.sum(x[both] != y[both])) < 2:
        return math.nan
    x, y = x[both], y[both]
    if x.size < 2 or np.all(x == x[0]) or np.all(y == y[0]):
        return math.nan
    xc, yc = x - x.mean(), y - y.mean()
    r = float(xc @ yc / math.sqrt(float(xc @ xc) * float(yc @ yc)))
    return min(1.0, max(-1.0, r))


def _rmea_r(a: np.ndarray, b: np.ndarray, window: int, step: int, lag: int, windows: int) -> np.ndarray:
    """rMEA's table of r: windows x (2 lag + 1) lags, lags -lag..lag."""
    out = np.full((windows, 2 * lag + 1), np.nan)
    span = window + lag
    for w in range(windows):
        start = w * step
        x, y = a[start : start + span], b[start : start + span]
        gaps_x, gaps_y = int(np.isnan(x).sum()), int(np.isnan(y).sum())
        if max(gaps_x, gaps_y) > span / 2:
            continue
        if gaps_x or gaps_y:
            for j, k in enumerate(range(-lag, lag + 1)):
                d = abs(k)
                xs, ys = (x[:window], y[d : d + window]) if k >= 0 else (x[d : d + window], y[:window])
                out[w, j] = _rmea_cell_with_gaps(xs, ys)
            continue
        # lag k >= 0: cor(x[0:W], y[k:k+W]); lag k < 0: cor(x[|k|:|k|+W], y[0:W]).
        out[w, lag:] = _rows_against(x[:window], y, window, lag + 1, 0)
        if lag:
            out[w, :lag] = _rows_against(y[:window], x, window, lag, 1)[::-1]
    return out


def rmea_fisher(r, *, absolute: bool = False) -> np.ndarray:
    """rMEA's ``fisher.r2z``: ``atanh(r)`` bounded to ±10 (so r = ±1 gives ±10), then ``abs`` when
    ``absolute`` (its ``ABS``). Missing values stay missing."""
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.clip(np.arctanh(np.asarray(r, dtype=np.float64)), -RMEA_Z_CLIP, RMEA_Z_CLIP)
    return np.abs(z) if absolute else z


def rmea_cross_correlation(
    a, b, *, rate: float, window_s: float, step_s: float, max_lag_s: float, absolute: bool = True
) -> CrossCorrelation:
    """rMEA 1.3.0's ``MEAccf(mea, lagSec=max_lag_s, winSec=window_s, incSec=step_s, r2Z=TRUE, ABS=absolute)``.

    * ``n_win = ceil((N - W - L + 1) / inc)`` windows (W, L, inc in samples; they must be whole numbers of
      samples); window ``w`` starts at sample ``w * inc`` and reads ``W + L`` samples.
    * Lag ``k >= 0``: ``cor(s1[a : a + W], s2[a + k : a + k + W])``; ``k < 0``:
      ``cor(s1[a + |k| : a + |k| + W], s2[a : a + W])`` (high values at positive lags: s2 follows s1).
    * A cell is missing (NaN) when the two vectors differ in fewer than 2 places (identical) or either is
      constant; a whole window is missing when more than half of either series' ``W + L`` samples are missing
      (NaN); otherwise missing values are left out pairwise.
    * Fisher z bounded to ±10; ``absolute``: |z| after the transform.

    ``starts_s`` are the windows' starts; ``window_s`` is W (each window also reads L samples more). Vectorised:
    per window, all lags at once (sliding sums for the spreads, one ``np.correlate`` for the products).
    """
    a, b = _series_with_gaps(a, "a"), _series_with_gaps(b, "b")
    if a.size != b.size:
        raise ValueError("a and b must have the same length")
    window, step, lag, windows = _rmea_geometry(a.size, rate, window_s, step_s, max_lag_s)
    z = rmea_fisher(_rmea_r(a, b, window, step, lag, windows), absolute=absolute)
    return CrossCorrelation(
        z=z,
        lags_s=np.arange(-lag, lag + 1) / rate,
        starts_s=np.arange(windows) * step / rate,
        window_s=window / rate,
        step_s=step / rate,
        rate=rate,
        convention="rmea",
        absolute=absolute,
    )


def best_lags(cc: CrossCorrelation) -> np.ndarray:
    """Per window, the lag (seconds) of the highest value, the first one on ties (R's ``which.max``, as rMEA's
    ``bestLag``); NaN for a window with no value."""
    z = cc.z
    out = np.full(z.shape[0], np.nan)
    finite = np.isfinite(z)
    rows = finite.any(axis=1)
    if rows.any():
        out[rows] = cc.lags_s[np.argmax(np.where(finite, z, -np.inf), axis=1)[rows]]
    return out


@dataclass(frozen=True)
class RmeaResults:
    """rMEA's ``ccfRes``: per window ``all_lags`` (mean over lags), ``s1_lead`` (mean over positive lags),
    ``s2_lead`` (negative lags), ``lag_zero``, ``s1_lead_0`` / ``s2_lead_0`` (the same with lag 0),
    ``best_lag_s``; and ``grand_average`` of the whole table. Means leave missing values out (NaN when nothing
    is left). The lead values are None when the lag range is 0."""

    all_lags: np.ndarray
    s1_lead: np.ndarray | None
    s2_lead: np.ndarray | None
    lag_zero: np.ndarray
    s1_lead_0: np.ndarray | None
    s2_lead_0: np.ndarray | None
    best_lag_s: np.ndarray
    grand_average: float


def rmea_results(cc: CrossCorrelation) -> RmeaResults:
    """The summaries rMEA's ``MEAccf`` puts in ``ccfRes``, from a table made with ``convention="rmea"``."""
    z = cc.z
    lag = (z.shape[1] - 1) // 2
    leads = lag > 0
    return RmeaResults(
        all_lags=_nanmean(z, axis=1),
        s1_lead=_nanmean(z[:, lag + 1 :], axis=1) if leads else None,
        s2_lead=_nanmean(z[:, :lag], axis=1) if leads else None,
        lag_zero=z[:, lag].copy(),
        s1_lead_0=_nanmean(z[:, lag:], axis=1) if leads else None,
        s2_lead_0=_nanmean(z[:, : lag + 1], axis=1) if leads else None,
        best_lag_s=best_lags(cc),
        grand_average=float(_nanmean(z)) if z.size else math.nan,
    )


@dataclass(frozen=True)
class PseudoDyad:
    """One pair made by :func:`rmea_shuffle`: ``first`` and ``second`` are (dyad index, 1 or 2) of the series
    used, ``s1`` and ``s2`` the series (cut to the shorter, rows with a missing value left out)."""

    first: tuple[int, int]
    second: tuple[int, int]
    s1: np.ndarray = field(repr=False, compare=False)
    s2: np.ndarray = field(repr=False, compare=False)


def rmea_shuffle(dyads, *, size: int | str = "max", keep_roles: bool = False, seed: int = 0) -> list[PseudoDyad]:
    """rMEA's between-dyad ``shuffle``: every series of every dyad (all the first people's, then all the second
    people's) paired with every other, in R's ``combn`` order, leaving out each dyad's real pair; with
    ``keep_roles``, only a first person's series with a second person's. ``size``: ``"max"`` for all pairs, or
    that many chosen at random (seeded; the choice differs from R's random numbers, the pairs offered do not).
    Each pseudo-dyad is cut to the shorter series and rows with a missing value are dropped (rMEA's
    ``na.omit(unequalCbind(..., keep=FALSE))``). Compare the real dyads' synchrony with these pseudo-dyads'."""
    dyads = [(_series_with_gaps(s1, "s1"), _series_with_gaps(s2, "s2")) for s1, s2 in dyads]
    count = len(dyads)
    if count < 2:
        raise ValueError("Shuffling between dyads needs at least two dyads")
    series = [(i, 1, s1) for i, (s1, _) in enumerate(dyads)] + [(i, 2, s2) for i, (_, s2) in enumerate(dyads)]
    pairs = []
    for i in range(2 * count):
        for j in range(i + 1, 2 * count):
            if j == i + count:
                continue  # the real dyad
            if keep_roles and (i < count) == (j < count):
                continue
            pairs.append((i, j))
    if size != "max":
        size = int(size)
        if size < 1:
            raise ValueError('size must be "max" or a number above 0')
        if size < len(pairs):
            rng = np.random.default_rng(seed)
            pairs = [pairs[k] for k in rng.choice(len(pairs), size=size, replace=False)]
    out = []
    for i, j in pairs:
        (di, ri, x), (dj, rj, y) = series[i], series[j]
        n = min(x.size, y.size)
        x, y = x[:n], y[:n]
        keep = ~(np.isnan(x) | np.isnan(y))
        out.append(PseudoDyad(first=(di, ri), second=(dj, rj), s1=x[keep], s2=y[keep]))
    return out


@dataclass(frozen=True)
class Susy:
    """SUSY's figures (Tschacher & Meier 2020; R package SUSY 0.1.0, ``susy`` and its table). Per lag (SUSY's own
    order: lag -L..L of R's ``ccf(x, y)``, whose value at lag k pairs ``x[t + k]`` with ``y[t]``, so negative lags
    are x leading): ``real_abs_z`` / ``pseudo_abs_z`` the mean over segments (over segment pairs) of |Fisher z|,
    ``real_z`` / ``pseudo_z`` the same signed. ``z``, ``z_pseudo``: their means over lags; ``effect_size`` (SUSY's
    ES) ``(z - z_pseudo) / sd`` where sd is the standard deviation *over lags* of ``pseudo_abs_z``;
    ``effect_size_signed`` the same for the signed values (ES(noAbs)); ``segments`` used and ``pseudo_pairs``."""

    z: float
    z_pseudo: float
    effect_size: float
    z_signed: float
    z_signed_pseudo: float
    effect_size_signed: float
    effect_size_x_leads: float
    effect_size_y_leads: float
    real_abs_z: np.ndarray = field(repr=False)
    pseudo_abs_z: np.ndarray = field(repr=False)
    real_z: np.ndarray = field(repr=False)
    pseudo_z: np.ndarray = field(repr=False)
    segments: int = 0
    pseudo_pairs: int = 0


def _ccf_segments(xs: np.ndarray, ys: np.ndarray, lag: int) -> np.ndarray:
    """R's ``ccf(x, y, lag.max=lag)`` of every row of ``xs`` (m, n) with every row of ``ys`` (m, n): shape
    (m, m, 2 lag + 1); value at lag k: ``sum_t xc[t + k] yc[t] / sqrt(sum xc^2 sum yc^2)`` (each centred on its
    segment's mean); NaN where a segment is constant."""
    xc = xs - xs.mean(axis=1, keepdims=True)
    yc = ys - ys.mean(axis=1, keepdims=True)
    n = xs.shape[1]
    nfft = _fast_length(2 * n)
    fx = np.fft.rfft(xc, nfft, axis=1)
    fy = np.fft.rfft(yc, nfft, axis=1)
    # c[i, h, k] = sum_t xc_i[t + k] yc_h[t]: the inverse FFT of X_i * conj(Y_h), read at k (mod nfft).
    product = np.fft.irfft(fx[:, None, :] * np.conj(fy)[None, :, :], nfft, axis=2)
    ks = np.arange(-lag, lag + 1)
    cross = product[:, :, ks % nfft]
    norm = np.sqrt(np.einsum("it,it->i", xc, xc)[:, None] * np.einsum("it,it->i", yc, yc)[None, :])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(norm[:, :, None] > 0, cross / norm[:, :, None], np.nan)


def susy(x, y, *, rate: float, segment_s: float, max_lag_s: float = 3.0) -> Susy:
    """SUSY's surrogate synchrony of two series (R package SUSY's ``susy`` with all surrogates, the default).

    Missing values (NaN) are dropped pairwise first. The series are cut into ``floor(N / (segment_s * rate))``
    non-overlapping segments (a remainder at the end is not used). In each segment R's ``ccf`` at lags
    ``-max_lag_s..max_lag_s`` is Fisher-transformed (not bounded); per lag, the mean over segments is the real
    synchrony and the mean over every pairing of segment i of x with segment h != i of y (n (n - 1) surrogates)
    the surrogates'. A segment pair whose ccf is undefined adds nothing but is still counted, as in SUSY.
    SUSY requires ``2 * max_lag_s <= segment_s`` and that the segment is at most ``N / 2``; like SUSY's own check,
    this compares the segment in seconds with ``N / 2`` in samples.
    """
    x, y = _series_with_gaps(x, "x"), _series_with_gaps(y, "y")
    if x.size != y.size:
        raise ValueError("x and y must have the same length")
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep], y[keep]
    length = int(segment_s * rate)
    lag = int(max_lag_s * rate)
    if segment_s < 2 * max_lag_s:
        raise ValueError("The segment must not be shorter than twice the lag range")
    if length < 1 or segment_s > x.size / 2:
        raise ValueError("The segment must not be longer than half the series")
    count = int(round(x.size / length - 0.499999))
    if count < 2:
        raise ValueError("SUSY needs at least two segments")
    xs = x[: count * length].reshape(count, length)
    ys = y[: count * length].reshape(count, length)
    r = _ccf_segments(xs, ys, lag)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = 0.5 * np.log((1 + r) / (1 - r))
    z = np.where(np.isnan(r), 0.0, z)  # a pair with a constant segment adds nothing (but is counted)
    real = np.eye(count, dtype=bool)
    real_z = z[real].sum(axis=0) / count
    real_abs = np.abs(z[real]).sum(axis=0) / count
    pseudo_z = z[~real].sum(axis=0) / (count * (count - 1))
    pseudo_abs = np.abs(z[~real]).sum(axis=0) / (count * (count - 1))

    def effect(real_values, pseudo_values):
        sd = float(np.std(pseudo_values, ddof=1)) if pseudo_values.size > 1 else math.nan
        with np.errstate(invalid="ignore", divide="ignore"):
            return float((real_values.mean() - pseudo_values.mean()) / sd) if sd else math.nan

    return Susy(
        z=float(real_abs.mean()),
        z_pseudo=float(pseudo_abs.mean()),
        effect_size=effect(real_abs, pseudo_abs),
        z_signed=float(real_z.mean()),
        z_signed_pseudo=float(pseudo_z.mean()),
        effect_size_signed=effect(real_z, pseudo_z),
        effect_size_x_leads=effect(real_abs[:lag], pseudo_abs[:lag]),
        effect_size_y_leads=effect(real_abs[lag + 1 :], pseudo_abs[lag + 1 :]),
        real_abs_z=real_abs,
        pseudo_abs_z=pseudo_abs,
        real_z=real_z,
        pseudo_z=pseudo_z,
        segments=count,
        pseudo_pairs=count * (count - 1),
    )

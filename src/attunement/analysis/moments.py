"""The few stretches of a session most worth watching first: movement in step, or a burst of turn-taking.

Both kinds of candidate are windows of the synchrony analysis (e.g. 60 s every 30 s) and get a score in the same
unit, standard deviations above what is typical:

* **movement in step**: a window's highest z (over lags) compared with the same window's highest z in the
  surrogates of :func:`attunement.analysis.synchrony.surrogate_test` (circular shifts of the partner's series),
  ``(peak z - surrogate mean) / surrogate sd`` (:func:`attunement.analysis.synchrony.window_chance`). Because a
  session has many windows, one of them is bound to stand out by luck now and then; so a window is offered only
  when its p-value *adjusted for the number of windows* is at most ``alpha`` (0.05): its score must beat the best
  window of a chance pairing (each surrogate's highest score over all its windows) in at least 95% of the
  surrogates. With independent movement, the chance that any window at all is offered is then at most about 5%;
* **a burst of turn-taking**: the number of exchanges (speaker changes within the turn gap) in the window compared
  with all the session's windows, ``(count - mean) / sd``; only windows with at least ``min_exchanges``.

Candidates scoring below ``min_score`` are left out; the rest are taken best first, skipping any that overlaps
one already taken, up to ``top``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

TOP = 3
MIN_SCORE = 1.645  # one-sided 5% of a normal distribution: clearly above what is typical
MIN_EXCHANGES = 2


def _lag_words(lag_s: float) -> str:
    if not math.isfinite(lag_s) or abs(lag_s) < 0.2:
        return "at the same time"
    who = "the partner following the learner" if lag_s > 0 else "the learner following the partner"
    return f"{who} by {abs(lag_s):.1f} s"


def synchrony_candidates(
    starts_s: Sequence[float],
    window_s: float,
    peak_z: Sequence[float],
    peak_lag_s: Sequence[float],
    score: Sequence[float],
    adjusted_p_value: Sequence[float],
    *,
    alpha: float = 0.05,
) -> list[dict]:
    """One candidate per window beyond chance allowing for the number of windows (``adjusted_p_value`` at most
    ``alpha``): start, end, score and words. Lags are in seconds, positive when the partner (b) follows the
    learner (a)."""
    out = []
    for start, peak, lag, value, p in zip(starts_s, peak_z, peak_lag_s, score, adjusted_p_value, strict=True):
        if not all(v is not None and math.isfinite(v) for v in (peak, value, p)) or p > alpha:
            continue
        out.append(
            {
                "start_s": float(start),
                "end_s": float(start + window_s),
                "kind": "synchrony",
                "why": "movement in step",
                "detail": f"movement in step (peak z {peak:.2f}, {_lag_words(lag)})",
                "score": float(value),
            }
        )
    return out


def exchange_candidates(
    exchange_times_s: Sequence[float], *, duration_s: float, window_s: float, step_s: float, min_exchanges: int
) -> list[dict]:
    """Windows of ``window_s`` every ``step_s`` over ``duration_s`` with at least ``min_exchanges`` exchanges,
    scored against all windows' counts."""
    if duration_s <= 0:
        return []
    starts = np.arange(0.0, max(duration_s - window_s, 0.0) + 1e-9, step_s)
    times = np.sort(np.asarray(exchange_times_s, dtype=np.float64))
    counts = np.searchsorted(times, starts + window_s, side="left") - np.searchsorted(times, starts, side="left")
    if counts.size == 0:
        return []
    mean, sd = counts.mean(), counts.std()
    out = []
    for start, count in zip(starts, counts, strict=True):
        if count < min_exchanges:
            continue
        score = (count - mean) / sd if sd > 0 else 0.0
        out.append(
            {
                "start_s": float(start),
                "end_s": float(min(start + window_s, duration_s)),
                "kind": "turn-taking",
                "why": "a burst of turn-taking",
                "detail": f"a burst of turn-taking ({int(count)} exchanges)",
                "score": float(score),
            }
        )
    return out


def pick(candidates: list[dict], *, top: int = TOP, min_score: float = MIN_SCORE) -> list[dict]:
    """The best ``top`` candidates scoring at least ``min_score`` that do not overlap each other, best first (ties:
    earlier first)."""
    chosen: list[dict] = []
    for candidate in sorted(candidates, key=lambda c: (-c["score"], c["start_s"])):
        if len(chosen) >= top:
            break
        if candidate["score"] < min_score:
            break
        if any(candidate["start_s"] < c["end_s"] and c["start_s"] < candidate["end_s"] for c in chosen):
            continue
        chosen.append({**candidate, "score": round(candidate["score"], 3)})
    return chosen

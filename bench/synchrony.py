"""Speed and agreement of the synchrony conventions (attunement.analysis.synchrony) on rMEA's sample sessions.

    .venv/bin/python bench/synchrony.py              # rMEA's three sample sessions, 5 runs each
    .venv/bin/python bench/synchrony.py --repeat 1

Reads ../shared/reference/rmea/ (10 minutes of two people's motion energy at 25 Hz, raw and after rMEA's
MEAsmooth). For each session it prints:

* MEAsmooth: the largest difference between our rmea_smooth of the raw series and rMEA's smoothed file;
* MEAccf (lagSec 5, winSec 60, incSec 30, r2Z, ABS false) on the smoothed series: the vectorised function
  against a straightforward loop written here from the definition (one np.corrcoef per window and lag), their
  largest difference, and both times (fastest of --repeat runs) with the speed-up; the budget is 10x;
* the number of windows in rMEA's convention and in the documented one (18 and 19 here), and how often the
  two give the same best lag in a window;
* the whole synchrony analysis as the app runs it (10 Hz, standard preset, 200 segment shuffles for the session
  and 200 circular shifts for single windows) on a series 10 and 60 minutes long;
* SUSY (30 s segments, lags to 3 s, every segment pairing) on the smoothed series.
"""

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from attunement.analysis import synchrony as sync  # noqa: E402

sys.path.insert(0, str(ROOT))
# The loop the tests check the fast version against, written from the definition: timed here as the baseline.
from tests.analysis.test_rmea import straightforward_meaccf  # noqa: E402

REFERENCE = ROOT.parent / "shared" / "reference" / "rmea"
SESSIONS = ["normal_200_01", "normal_201_01", "dropout_100_01"]
RATE = 25.0
BUDGET_SPEED_UP = 10.0


def fastest(repeat, work):
    best, value = math.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        value = work()
        best = min(best, time.perf_counter() - start)
    return best, value


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not REFERENCE.exists():
        sys.exit(f"The rMEA reference files are not at {REFERENCE}")
    worst_speed_up = math.inf
    for name in SESSIONS:
        raw = np.loadtxt(REFERENCE / f"{name}_raw.csv", delimiter=",", skiprows=1)
        theirs = np.loadtxt(REFERENCE / f"{name}_smooth.csv", delimiter=",", skiprows=1)
        smooth_diff = max(np.max(np.abs(sync.rmea_smooth(raw[:, c], RATE, 0.5) - theirs[:, c])) for c in range(2))
        s1, s2 = theirs[:, 0], theirs[:, 1]
        vector_s, cc = fastest(
            args.repeat,
            lambda s1=s1, s2=s2: sync.cross_correlation(
                s1, s2, rate=RATE, window_s=60, step_s=30, max_lag_s=5, convention="rmea", absolute=False
            ),
        )
        loop_s, table = fastest(
            max(1, args.repeat // 2), lambda s1=s1, s2=s2: straightforward_meaccf(s1, s2, win=1500, lag=125, inc=750)
        )
        ours = sync.cross_correlation(s1, s2, rate=RATE, window_s=60, step_s=30, max_lag_s=5)
        same_missing = np.array_equal(np.isnan(cc.z), np.isnan(table))
        rows = cc.z.shape[0]
        same_best = np.mean(sync.best_lags(cc) == sync.best_lags(ours)[:rows])
        speed_up = loop_s / vector_s
        worst_speed_up = min(worst_speed_up, speed_up)
        susy_s, susy = fastest(args.repeat, lambda s1=s1, s2=s2: sync.susy(s1, s2, rate=RATE, segment_s=30))
        print(f"{name}:")
        print(f"  MEAsmooth   largest difference from rMEA's file {smooth_diff:.1e}")
        print(
            f"  MEAccf      {cc.z.shape[0]} windows (documented convention: {ours.z.shape[0]}), largest difference "
            f"from the loop {np.nanmax(np.abs(cc.z - table)):.1e}, same missing cells: {same_missing}"
        )
        print(f"              best lag the same in both conventions in {same_best:.0%} of rMEA's windows")
        print(
            f"              vectorised {vector_s * 1000:.1f} ms, loop {loop_s * 1000:.0f} ms: {speed_up:.0f}x "
            f"(budget {BUDGET_SPEED_UP:.0f}x)"
        )
        print(
            f"  SUSY        {susy.segments} segments, {susy.pseudo_pairs} pseudo pairs, Z {susy.z:.3f}, "
            f"ES {susy.effect_size:.2f}: {susy_s * 1000:.0f} ms"
        )
    rng = np.random.default_rng(0)
    for minutes in (10, 60):
        n = int(minutes * 60 * 10)
        a, b = rng.random(n), rng.random(n)
        seconds, _ = fastest(
            max(1, args.repeat // 2),
            lambda a=a, b=b: sync.synchrony(a, b, rate=10.0, surrogates=200, **sync.PRESETS["standard"]),
        )
        print(f"whole synchrony analysis, {minutes} minutes at 10 Hz, 200 + 200 surrogates: {seconds:.2f} s")
    verdict = "within" if worst_speed_up >= BUDGET_SPEED_UP else "OVER"
    print(f"slowest speed-up {worst_speed_up:.0f}x: {verdict} budget")


if __name__ == "__main__":
    main()

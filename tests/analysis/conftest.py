"""Videos made once per test run for the analysis tests, and the shared reference files."""

from pathlib import Path

import numpy as np
import pytest

from .videos import alternating_tones, delayed, on_off_pattern, write_video

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference"
FPS = 25
SECONDS = 90


def reference(name: str) -> Path:
    path = REFERENCE / name
    if not path.exists():
        pytest.skip(f"reference file {name} is not here")
    return path


@pytest.fixture(scope="session")
def videos(tmp_path_factory):
    """Lazily made videos, by name: ``learner_leads`` (the right square repeats the left one's on/off pattern 1.0 s
    later, with alternating 600 Hz / 300 Hz tones), ``partner_leads`` (the left one repeats the right one's 1.0 s
    later), ``independent-N`` (independent random patterns, seed N, no sound) and ``half_copying`` (180 s: the
    right square copies the left one 1.0 s later for the first 90 s, then moves independently; no sound)."""
    folder = tmp_path_factory.mktemp("analysis-videos")
    made = {}

    def get(name: str) -> dict:
        if name not in made:
            n = SECONDS * FPS
            if name == "half_copying":
                # Three minutes: the right square repeats the left one's pattern 1.0 s later for the first half,
                # then moves on its own (an independent pattern) for the second half. No sound.
                n = 2 * SECONDS * FPS
                rng = np.random.default_rng(21)
                left, own = on_off_pattern(n, FPS, rng), on_off_pattern(n, FPS, rng)
                right = delayed(left, FPS)
                right[n // 2 :] = own[n // 2 :]
                tones = []
                path = write_video(folder / f"{name}.mp4", left=left, right=right, audio=False, seed=21)
            elif name.startswith("independent-"):
                seed = int(name.split("-")[1])
                rng = np.random.default_rng(seed)
                left, right = on_off_pattern(n, FPS, rng), on_off_pattern(n, FPS, rng)
                tones = []
                path = write_video(folder / f"{name}.mp4", left=left, right=right, audio=False, seed=seed)
            else:
                rng = np.random.default_rng(1)
                leader = on_off_pattern(n, FPS, rng)
                follower = delayed(leader, FPS)  # 1.0 s later
                left, right = (leader, follower) if name == "learner_leads" else (follower, leader)
                tones = alternating_tones(SECONDS, rng)
                path = write_video(folder / f"{name}.mp4", left=left, right=right, tones=tones, seed=1)
            made[name] = {"path": path, "left": left, "right": right, "tones": tones}
        return made[name]

    return get


@pytest.fixture(scope="session")
def analysed(videos):
    """:func:`analyse` results of the ``videos``, made once each (short preset)."""
    from attunement.analysis.pipeline import analyse

    results = {}

    def get(name: str):
        if name not in results:
            results[name] = analyse(videos(name)["path"], preset="short")
        return results[name]

    return get

"""Speed and memory of the interaction analysis (attunement.analysis) on long videos. Prints figures and budgets.

    .venv/bin/python bench/analysis.py            # 10 minutes at 640x360 and 1280x720, then 30 minutes at 640x360
    .venv/bin/python bench/analysis.py --minutes 2 --long-minutes 0 --repeat 1   # a quick look
    .venv/bin/python bench/analysis.py --voices-only   # who spoke, on generated dialogues (about 2 minutes)

The videos are made once with NumPy and PyAV (libx264 ultrafast CRF 23 at 25 frames a second, AAC stereo 48 kHz)
and kept in var/bench/ (or --cache-dir). They look and sound a little like a session: a textured room with sensor
noise that changes every frame (so the encoder, and so the decoder, has real work), two people (light shapes) who
move in bouts, the right one often echoing the left one's movement a moment later, and two voices (harmonic tones
at about 350 Hz and 180 Hz) taking turns over a noise floor.

For each file, two stages run, each in a fresh child process (multiprocessing "spawn": a new interpreter, as a
worker would be), so that its peak resident memory is its own (bench/stages.py):

* decode: decoding the file's pictures and sound in the quickest plain way (video and audio streams together,
  FFmpeg's own threads on, thread_type "AUTO"), doing nothing with the frames;
* analyse: attunement.analysis.pipeline.analyse() with the standard preset and 200 surrogates. It measures the
  sound in a process of its own; its peak memory is reported added to the analysis's own.

Each stage runs ``--repeat`` times (default 3), decode and analyse taking turns so that both meet the same load
on the machine; the fastest run of each is reported, with the highest peak memory of its runs.

Who spoke (also printed after the videos, or alone with ``--voices-only``): generated dialogues of two voices from
80 to 400 Hz (tests/analysis/voices.py: glottal pulses ringing vowel formants, jitter, vibrato, breath, a
microphone that loses the lowest notes, room noise) in the pairings the tests use, and the reported pairing in more
natural voices (glottal flow pulses, creak, five formants, a telephone-like band), several seeds each, measured
as the analysis measures a session's sound (vocal.features_from_samples, detect_segments, attribute): the share of
sounds named right, the error of the learner's share of the voice (percentage points), and the time per minute of
sound. Then how often suggestions are right at each level of confidence, on pairings whose pitches overlap.

Budgets (at 640x360 on 2 cores): the analysis at least 30x real time and at most 1.5x the decoding alone; peak
memory under 500 MB for every file.
"""

import argparse
import os
import platform
import sys
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from stages import measure_stage  # noqa: E402

FPS = 25
BUDGET_REALTIME = 30.0
BUDGET_RATIO = 1.5
BUDGET_MB = 500


# --- Making the videos ------------------------------------------------------------------------------------------


def make_video(path: str, seconds: float, width: int, height: int, seed: int = 0) -> str:
    """Write the benchmark video (see the module notes) to ``path``; returns it."""
    import av
    import numpy as np

    rng = np.random.default_rng(seed)
    frames = int(seconds * FPS)
    # The room: smooth shading plus fixed texture; 32 versions with different sensor noise, chosen at random.
    yy, xx = np.mgrid[0:height, 0:width]
    room = 70 + 30 * np.sin(xx / width * 3.1) * np.cos(yy / height * 2.3) + rng.normal(0, 6, (height, width))
    bank = [np.clip(room + rng.normal(0, 2.5, room.shape), 0, 255).astype(np.uint8) for _ in range(32)]
    chroma = np.full((height // 4, width), 128, np.uint8)
    chroma_v = np.full((height // 4, width), 134, np.uint8)

    # Movement: the left person moves in bouts; the right one echoes 70% of them 0.8 s later and adds its own.
    def bouts(n):
        out = np.zeros(n, bool)
        i, on = 0, False
        while i < n:
            length = int(rng.uniform(0.5, 2.5 if on else 3.0) * FPS)
            out[i : i + length] = on
            i, on = i + length, not on
        return out

    left = bouts(frames)
    echo = np.zeros(frames, bool)
    echo[int(0.8 * FPS) :] = left[: frames - int(0.8 * FPS)]
    keep = np.repeat(rng.random(frames // FPS + 1) < 0.7, FPS)[:frames]
    right = (echo & keep) | (bouts(frames) & (rng.random(frames) < 0.3))
    size = (height // 3, width // 8)
    homes = [(height // 2, width // 4), (height // 2, 3 * width // 4)]
    offsets = [[0, 0], [0, 0]]

    # Sound: two voices taking turns (harmonic tones with a slow vibrato) over a noise floor, 48 kHz stereo.
    rate = 48000
    audio_frame = 1024

    def voice_plan():
        plan, t, who = [], 1.0, 0
        while t < seconds:
            length = rng.uniform(0.3, 1.5)
            plan.append((t, t + length, 350.0 if who == 0 else 180.0))
            t += length + rng.uniform(0.4, 3.0)
            who = 1 - who if rng.random() < 0.8 else who
        return plan

    plan = voice_plan()
    plan_index = 0

    def sound(first: int, count: int) -> np.ndarray:
        nonlocal plan_index
        t = (first + np.arange(count)) / rate
        out = 0.003 * rng.standard_normal(count)
        while plan_index < len(plan) and plan[plan_index][1] < t[0]:
            plan_index += 1
        for start, end, hz in plan[plan_index : plan_index + 2]:
            inside = (t >= start) & (t < end)
            if inside.any():  # the phase of hz * (1 + 0.03 sin(2 pi 5 t)), integrated: continuous across pieces
                ti = t[inside]
                phase = 2 * np.pi * hz * (ti - 0.03 / (10 * np.pi) * np.cos(10 * np.pi * ti))
                out[inside] += sum(0.15 / k * np.sin(k * phase) for k in range(1, 5))
        return np.stack([out, out]).astype(np.float32)

    with av.open(path, "w") as container:
        video = container.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.codec_context.time_base = Fraction(1, FPS)
        video.codec_context.options = {"preset": "ultrafast", "crf": "23"}
        video.thread_type = "AUTO"
        audio = container.add_stream("aac", rate=rate)
        audio.layout, audio.format = "stereo", "fltp"
        written = 0
        for i in range(frames):
            y = bank[int(rng.integers(32))].copy()
            for side, moving in enumerate((left[i], right[i])):
                if moving:
                    offsets[side] = [int(rng.integers(-height // 20, height // 20 + 1)) for _ in range(2)]
                top = homes[side][0] - size[0] // 2 + offsets[side][0]
                x = homes[side][1] - size[1] // 2 + offsets[side][1]
                y[top : top + size[0], x : x + size[1]] = 200 - 40 * side
                y[top - size[0] // 3 : top, x + size[1] // 4 : x + 3 * size[1] // 4] = 180  # a head
            frame = av.VideoFrame.from_ndarray(np.concatenate((y, chroma, chroma_v)), format="yuv420p")
            frame.pts, frame.time_base = i, Fraction(1, FPS)
            container.mux(video.encode(frame))
            while written < (i + 1) / FPS * rate:
                piece = av.AudioFrame.from_ndarray(sound(written, audio_frame), format="fltp", layout="stereo")
                piece.sample_rate, piece.pts, piece.time_base = rate, written, Fraction(1, rate)
                container.mux(audio.encode(piece))
                written += audio_frame
        container.mux(video.encode(None))
        container.mux(audio.encode(None))
    return path


# --- Stages: module-level functions so that a spawned child can import and run them ------------------------------


def decode_stage(path: str) -> dict:
    """Demux and decode picture and sound as the analysis does (thread_type "AUTO"), doing nothing else."""
    import av

    started = time.perf_counter()
    with av.open(path, "r") as container:
        video = container.streams.video[0]
        video.thread_type = "AUTO"
        streams = [video]
        if container.streams.audio:
            audio = container.streams.audio[0]
            audio.thread_type = "AUTO"
            streams.append(audio)
        pictures = sounds = 0
        for packet in container.demux(*streams):
            for _frame in packet.decode():
                if packet.stream is video:
                    pictures += 1
                else:
                    sounds += 1
    return {"pictures": pictures, "audio_frames": sounds, "seconds": time.perf_counter() - started}


def analyse_stage(path: str) -> dict:
    from attunement.analysis.pipeline import analyse

    started = time.perf_counter()
    result = analyse(path, preset="standard")
    seconds = time.perf_counter() - started
    sync, vocal = result.synchrony, result.vocal
    return {
        "frames": result.video.frames,
        "duration_s": result.video.duration_s,
        "leader": sync.leader,
        "best_lag_s": sync.best_lag_s,
        "p_value": sync.p_value,
        "beyond_chance": sync.beyond_chance,
        "effect_size": sync.effect_size,
        "segments": len(vocal.segments),
        "detector": vocal.detector,
        "exchanges": vocal.exchanges,
        "moments": len(result.moments),
        "seconds": seconds,
    }


# --- Measuring ---------------------------------------------------------------------------------------------------


def best(kept: dict | None, new: dict) -> dict:
    """The faster of two runs of a stage, with the higher of their peak memories. ``total_mb`` adds the peak of
    the process the stage started (the analysis measures the sound in one) to its own: an upper bound of the
    memory both took at once."""
    new = {**new, "total_mb": new["peak_mb"] + new["children_peak_mb"]}
    if kept is None:
        return new
    faster = new if new["seconds"] < kept["seconds"] else kept
    return {
        **faster,
        "peak_mb": max(kept["peak_mb"], new["peak_mb"]),
        "total_mb": max(kept["total_mb"], new["total_mb"]),
    }


OVERLAPPING = {  # voices a third of an octave apart, each sound's pitch spreading by an eighth of an octave
    "boy and woman, close": (("boy", 270, "child", 0.12), ("woman", 210, "woman", 0.12)),
    "two men, close": (("man", 125, "man", 0.12), ("man", 95, "man", 0.12)),
    "two women, close": (("woman", 240, "woman", 0.12), ("woman", 185, "woman", 0.12)),
}


def voices_report(seeds: int) -> None:
    """Print who-spoke accuracy per pairing, the time per minute of sound, and the confidence's calibration."""
    import numpy as np

    sys.path.insert(0, str(ROOT / "tests" / "analysis"))
    from voices import NATURAL_REPORTED, PAIRINGS, Voice, dialogue, score

    from attunement.analysis import vocal

    def run(learner, partner, sounds, seed):
        samples, truth = dialogue(learner, partner, sounds=sounds, seed=seed)
        started = time.perf_counter()
        segments = vocal.detect_segments(vocal.features_from_samples(samples, use_model=False))
        vocal.attribute(segments)
        return score(segments, truth), time.perf_counter() - started, samples.size / vocal.RATE

    print(f"\nWho spoke, on generated dialogues ({seeds} seeds per pairing; {vocal.praat_version()}):")
    print("| pairing (learner, partner) | pitches Hz | sounds | right: mean (worst) | share error points: mean |max| |")
    print("|---|---|---:|---:|---:|")
    spent = heard = 0.0
    pairings = {**PAIRINGS, "reported 290 and 89 Hz, natural voices": NATURAL_REPORTED}
    for name, (learner, partner) in pairings.items():
        sounds = 26 if name.startswith("reported") else 40
        results = []
        for seed in range(seeds):
            found, seconds, length = run(learner, partner, sounds, seed)
            results.append(found)
            spent, heard = spent + seconds, heard + length
        right = [r["accuracy"] for r in results]
        errors = [abs(r["share_error"]) for r in results]
        print(
            f"| {name} | {learner.pitch_hz:g} and {partner.pitch_hz:g} | {sounds} | {100 * np.mean(right):.1f}% "
            f"({100 * min(right):.0f}%) | {np.mean(errors):.1f} ({max(errors):.1f}) |"
        )
    print(f"  time: {spent / heard * 60:.2f} s per minute of sound (pitch, levels, detection and attribution)")

    calls = []
    print("\nOn voices that overlap in pitch:")
    for name, pair in OVERLAPPING.items():
        learner, partner = (Voice(*v) for v in pair)
        right = []
        for seed in range(seeds):
            found, _, _ = run(learner, partner, 40, seed)
            right.append(found["accuracy"])
            calls += found["calls"]
        print(f"  {name} ({learner.pitch_hz:g} and {partner.pitch_hz:g} Hz): {100 * np.mean(right):.1f}% right")
    calls = np.array(calls)
    print("| confidence | sounds | right |")
    print("|---|---:|---:|")
    for lo, hi in ((0.0, 0.2), (0.2, 0.4), (0.4, 0.6), (0.6, 0.8), (0.8, 0.95), (0.95, 1.01)):
        inside = (calls[:, 1] >= lo) & (calls[:, 1] < hi)
        share = f"{100 * calls[inside, 0].mean():.0f}%" if inside.any() else "-"
        print(f"| {lo:.2f} to {min(hi, 1.0):.2f} | {int(inside.sum())} | {share} |")
    print("  (a sound the detector missed counts as wrong, at confidence 0)")


def source(cache: Path, minutes: float, width: int, height: int) -> Path:
    path = cache / f"analysis-{minutes:g}min-{width}x{height}-{FPS}fps.mp4"
    if path.exists():
        print(f"  source: {path} (made earlier; delete it to make it again)")
    else:
        print(f"  source: making {path}", flush=True)
        partial = path.with_suffix(".partial.mp4")
        made = measure_stage("make", make_video, str(partial), minutes * 60, width, height)
        partial.replace(path)
        print(f"    made in {made['seconds']:.0f} s")
    return path


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--sizes", default="640x360,1280x720", help="comma-separated WIDTHxHEIGHT")
    parser.add_argument(
        "--long-minutes", type=float, default=30.0, help="also a file this long at 640x360, for memory (0: skip)"
    )
    parser.add_argument("--cache-dir", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each stage; the fastest is reported")
    parser.add_argument("--voices-only", action="store_true", help="only who spoke, on generated dialogues")
    parser.add_argument("--voice-seeds", type=int, default=5, help="dialogues per pairing for who spoke")
    args = parser.parse_args(argv)
    if args.voices_only:
        voices_report(args.voice_seeds)
        return
    args.cache_dir.mkdir(parents=True, exist_ok=True)

    import av

    print("Attunement interaction analysis benchmark")
    print(
        f"  machine: {os.cpu_count()} CPU cores, {platform.machine()}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, PyAV {av.__version__}"
    )
    runs = [(args.minutes, *map(int, size.split("x"))) for size in args.sizes.split(",")]
    if args.long_minutes:
        runs.append((args.long_minutes, 640, 360))
    rows = []
    for minutes, width, height in runs:
        print(f"\n{minutes:g} minutes at {width}x{height}:")
        path = source(args.cache_dir, minutes, width, height)
        decoded = analysed = None
        for _ in range(args.repeat):  # interleaved, so both see the same load on the machine; the fastest counts
            decoded = best(decoded, measure_stage("decode", decode_stage, str(path)))
            analysed = best(analysed, measure_stage("analyse", analyse_stage, str(path)))
        found = analysed["value"]
        print(
            f"    found: leader {found['leader']}, best lag {found['best_lag_s']} s, effect size "
            f"{found['effect_size']}, p {found['p_value']}; {found['segments']} vocalisations ({found['detector']}), "
            f"{found['exchanges']} exchanges; {found['moments']} moments"
        )
        rows.append((minutes, width, height, path.stat().st_size, decoded, analysed))

    print()
    print(
        f"| file | MB | frames | analysis s | analysis fps | x real time | decode s | analysis / decode | "
        f"peak MB analysis + sound process | peak MB decode | "
        f"budgets (>= {BUDGET_REALTIME:g}x, <= {BUDGET_RATIO:g}x decode at 640x360; < {BUDGET_MB} MB) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for minutes, width, height, size, decoded, analysed in rows:
        found = analysed["value"]
        seconds = analysed["seconds"]
        realtime = found["duration_s"] / seconds
        ratio = seconds / decoded["seconds"]
        verdicts = []
        if (width, height) == (640, 360):
            verdicts.append(f"speed {'met' if realtime >= BUDGET_REALTIME else '**missed**'}")
            verdicts.append(f"ratio {'met' if ratio <= BUDGET_RATIO else '**missed**'}")
        verdicts.append(f"memory {'met' if analysed['total_mb'] < BUDGET_MB else '**missed**'}")
        print(
            f"| {minutes:g} min {width}x{height} | {size / 1e6:,.0f} | {found['frames']} | {seconds:.1f} | "
            f"{found['frames'] / seconds:,.0f} | {realtime:.1f} | {decoded['seconds']:.1f} | {ratio:.2f} | "
            f"{analysed['peak_mb']:.0f} + {analysed['children_peak_mb']:.0f} = {analysed['total_mb']:.0f} | "
            f"{decoded['peak_mb']:.0f} | {', '.join(verdicts)} |"
        )
    voices_report(args.voice_seeds)


if __name__ == "__main__":
    main()

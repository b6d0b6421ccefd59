"""Time and memory of making a session clip's copy for playing: a 60-second clip filmed on an iPhone held upright
(HEVC in a QuickTime file, 1920x1080 stored on its side with a turn to show it upright, 30 frames a second, AAC
sound, about 10 Mbit/s as an iPhone films 1080p HEVC), copied into the H.264/AAC MP4 every browser plays, upright,
720 pixels at most on its long side. Prints figures.

    .venv/bin/python bench/clip.py                      # the 60-second 1080p portrait HEVC clip
    .venv/bin/python bench/clip.py --seconds 20 --height 720 --codec libx264

The source is made once with attunement.reflection.sample_video (libx265 ultrafast, with a band of changing noise
so that decoding it costs about what a phone's would) and kept in var/bench/ (or --cache-dir) for the next run.
Each stage runs in a fresh child process (bench/stages.py), as the task worker would run it:

* check: what the upload's check reads of the clip (attunement.media.probe, with the clips' 60-second limit);
* copy: attunement.media.make_proxy into the clips' box (reflection.tasks.CLIP_COPY_BOX), without a poster, as
  the background task reflection.tasks.session_clip_copy_make does.
"""

import argparse
import os
import platform
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from stages import measure_stage  # noqa: E402

CLIP_SECONDS = 60  # practice.session_media.CLIP_MAX_SECONDS
CLIP_MAX_BYTES = 100 * 1024 * 1024  # practice.session_media.CLIP_MAX_BYTES
CLIP_COPY_BOX = (720, 720)  # reflection.tasks.CLIP_COPY_BOX (not imported: that needs Django set up)


def make_source(path: str, seconds: float, width: int, height: int, fps: int, codec: str, noise: float) -> str:
    from attunement.reflection.sample_video import write_sample_video

    partial = Path(path).with_suffix(".partial.mov")
    write_sample_video(
        partial, seconds=seconds, width=width, height=height, fps=fps, codec=codec, rotation=-90, noise=noise
    )
    partial.replace(path)
    return path


def check_stage(path: str):
    from attunement.media import probe

    return probe(path, max_duration=CLIP_SECONDS)


def copy_stage(path: str, work_dir: str):
    import time

    from attunement.media import make_proxy, probe

    copy = Path(work_dir) / "playable.mp4"
    started = time.perf_counter()
    result = make_proxy(path, copy, None, width=CLIP_COPY_BOX[0], height=CLIP_COPY_BOX[1])
    seconds = time.perf_counter() - started
    made = probe(copy)
    return {
        "seconds": seconds,
        "result": result,
        "bytes": copy.stat().st_size,
        "codec": made.video_codec,
        "size": (made.width, made.height),
        "rotation": made.rotation,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=CLIP_SECONDS)
    parser.add_argument("--height", type=int, default=1080, help="stored height (landscape); width is 16:9")
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--codec", default="libx265", help="libx265 (HEVC, as an iPhone films) or libx264")
    parser.add_argument("--noise", type=float, default=0.04, help="share of the height; 0.04 gives about 10 Mbit/s")
    parser.add_argument("--cache-dir", default=str(ROOT / "var" / "bench"))
    options = parser.parse_args()
    width = options.height * 16 // 9 // 2 * 2
    cache = Path(options.cache_dir)
    cache.mkdir(parents=True, exist_ok=True)
    name = (
        f"clip-{options.codec}-{options.seconds:g}s-{width}x{options.height}-{options.fps}fps-"
        f"noise{options.noise:g}-portrait.mov"
    )
    source = cache / name
    print(f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}")
    if not source.exists():
        print(f"Making the source clip {source} (once) ...", flush=True)
        made = measure_stage(
            "make source",
            make_source,
            str(source),
            options.seconds,
            width,
            options.height,
            options.fps,
            options.codec,
            options.noise,
        )
        print(f"    made in {made['seconds']:.1f} s")
    size_mb = source.stat().st_size / 1e6
    if source.stat().st_size > CLIP_MAX_BYTES:
        print(f"Note: the source is larger than the {CLIP_MAX_BYTES // 2**20} MB a clip may be; lower --noise.")
    check = measure_stage("check", check_stage, str(source))
    info = check["value"]
    with tempfile.TemporaryDirectory() as work_dir:
        copy = measure_stage("copy", copy_stage, str(source), work_dir)
    made = copy["value"]
    rate = info.duration / copy["seconds"]
    print()
    print(
        f"Source: {info.video_codec}, {info.duration:.1f} s, shown {info.width}x{info.height} "
        f"(stored on its side, turned {info.rotation}°), {size_mb:.1f} MB, {size_mb * 8 / info.duration:.1f} Mbit/s"
    )
    print(f"Check: {check['seconds']:.2f} s, peak {check['peak_mb']:.0f} MB")
    print(
        f"Copy: {copy['seconds']:.1f} s ({rate:.2f} × real time), peak {copy['peak_mb']:.0f} MB; "
        f"{made['codec']} {made['size'][0]}x{made['size'][1]} turned {made['rotation']}°, "
        f"{made['bytes'] / 1e6:.1f} MB"
    )
    print()
    print("| clip | file size | check s | copy s | copy × real time | copy peak MB | copy |")
    print("|---|---:|---:|---:|---:|---:|---|")
    print(
        f"| {info.duration:.0f} s, {info.video_codec}, {info.width}x{info.height} portrait, {options.fps} fps "
        f"| {size_mb:.0f} MB | {check['seconds']:.2f} | {copy['seconds']:.1f} | {rate:.2f} | {copy['peak_mb']:.0f} "
        f"| {made['codec']} {made['size'][0]}x{made['size'][1]}, {made['bytes'] / 1e6:.1f} MB |"
    )


if __name__ == "__main__":
    main()

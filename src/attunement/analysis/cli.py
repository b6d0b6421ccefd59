"""Command line: ``attunement-analyse VIDEO [--learner-region X,Y,W,H] [--partner-region X,Y,W,H]
[--preset short|standard] [--json]``.

Analyses a session video (movement of the learner and the partner, their synchrony and who leads, vocal activity
and turn-taking, and the moments to watch first) and prints a short summary, or with ``--json`` one JSON object
(:meth:`attunement.analysis.result.AnalysisResult.to_json`). A file that is not a usable video, or a bad region, gives a
one-line error on standard error and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys

from attunement.analysis import ENGINE_VERSION
from attunement.analysis.motion import Region, RegionProblem
from attunement.analysis.pipeline import PRESETS, analyse
from attunement.analysis.result import AnalysisResult
from attunement.media import MediaProblem


def _clock(seconds) -> str:
    if seconds is None:
        return "-"
    minutes, secs = divmod(float(seconds), 60)
    return f"{int(minutes)}:{secs:04.1f}"


def _value(value, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def format_summary(result: AnalysisResult) -> str:
    """A short plain-text summary of an :func:`analyse` result."""
    video, sync, vocal, motion = result.video, result.synchrony, result.vocal, result.motion
    chance = "beyond chance" if sync.beyond_chance else "not beyond chance"
    lines = [
        f"Video: {_clock(video.duration_s)} ({video.width}x{video.height}, {_value(video.fps, 1)} fps)",
        "Movement (mean share of the region moving per frame; share of frames moving): "
        f"learner {_value(motion.learner.mean, 4)} / {_value(motion.learner.moving_proportion)}, "
        f"partner {_value(motion.partner.mean, 4)} / {_value(motion.partner.moving_proportion)}",
        f"Synchrony: overall z {_value(sync.overall_z, 3)} (effect size {_value(sync.effect_size)} against "
        f"shuffled surrogates, p = {_value(sync.p_value, 3)}: {chance}); lag-0 z {_value(sync.lag0_z, 3)}; "
        f"best lag {_value(sync.best_lag_s, 1)} s (positive: the partner follows)",
        f"Leads: {sync.leader} ({sync.leader_reason})",
    ]
    if vocal.available:
        lines.append(
            f"Vocal ({vocal.detector}): {len(vocal.segments)} vocalisations, "
            f"{_value(vocal.vocal_time_s, 1)} s in all; learner {_value(vocal.by_speaker_s.learner, 1)} s, "
            f"partner {_value(vocal.by_speaker_s.partner, 1)} s (suggested); median pause "
            f"{_value(vocal.pauses.median_s, 1)} s; {vocal.exchanges} exchanges, longest chain "
            f"{vocal.longest_chain} turns"
        )
    else:
        lines.append("Vocal: the video has no sound")
    if result.moments:
        lines.append("Watch first:")
        lines += [f"  {_clock(m.start_s)}-{_clock(m.end_s)}  {m.detail}" for m in result.moments]
    else:
        lines.append("Watch first: nothing stands out")
    return "\n".join(lines)


def _region(text: str) -> Region:
    try:
        return Region.parse(text)
    except RegionProblem as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 for an unusable file or bad arguments)."""
    parser = argparse.ArgumentParser(
        prog="attunement-analyse", description="Analyse movement, synchrony and vocal turn-taking in a session video."
    )
    parser.add_argument("video", help="the video file")
    parser.add_argument("--learner-region", type=_region, metavar="X,Y,W,H", help="default: the left half")
    parser.add_argument("--partner-region", type=_region, metavar="X,Y,W,H", help="default: the right half")
    parser.add_argument("--preset", choices=sorted(PRESETS), default="standard")
    parser.add_argument(
        "--learner-voice",
        choices=("higher", "lower"),
        default="higher",
        help="which voice to suggest as the learner's (default: higher, e.g. a child)",
    )
    parser.add_argument("--surrogates", type=int, default=200, help="shuffled surrogates for the chance test")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--version", action="version", version=f"%(prog)s {ENGINE_VERSION}")
    args = parser.parse_args(argv)
    try:
        result = analyse(
            args.video,
            args.learner_region,
            args.partner_region,
            preset=args.preset,
            learner_voice=args.learner_voice,
            surrogates=max(1, args.surrogates),
            seed=args.seed,
        )
    except (MediaProblem, RegionProblem) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result.to_json(), allow_nan=False, separators=(",", ":")))
    else:
        print(format_summary(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

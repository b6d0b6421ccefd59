"""Command line: ``python -m attunement.coding.cli stats FILE`` and ``kappa FILE_A FILE_B [--boris]``.

FILE may be a BORIS project (``.boris``; every observation, or one chosen with ``--observation``), an ELAN file
(``.eaf``) or a CSV file written by :mod:`attunement.coding.csvio`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from attunement.coding.boris import load_boris
from attunement.coding.csvio import load_csv
from attunement.coding.elan import load_eaf
from attunement.coding.model import Coding, CodingFormatError
from attunement.coding.stats import UNPAIRED, agreement, boris_kappa, code_stats


def load_codings(path: str | Path, observation: str | None = None) -> list[Coding]:
    """Load the codings in a .boris, .eaf or .csv file (one per BORIS observation)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".boris":
        codings = load_boris(path)
        if observation is not None:
            if observation not in codings:
                raise CodingFormatError(f"The BORIS file has no observation called {observation!r}.")
            return [codings[observation]]
        return list(codings.values())
    if suffix == ".eaf":
        return [load_eaf(path)]
    if suffix == ".csv":
        return [load_csv(path)]
    raise CodingFormatError(f"{path.name} is not a .boris, .eaf or .csv file.")


def _number(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def format_stats(coding: Coding) -> str:
    """A plain-text table of :func:`code_stats` for one coding."""
    lines = [f"# {coding.title or 'coding'}: {len(coding.events)} events, observed {coding.observed_time:.3f} s"]
    lines.append(f"{'code':<20} {'kind':<6} {'count':>6} {'total s':>10} {'mean s':>9} {'per min':>8} {'share':>7}")
    for s in code_stats(coding).values():
        total, mean, share = (
            (UNPAIRED, UNPAIRED, UNPAIRED)
            if s.is_unpaired
            else (_number(s.total_duration), _number(s.mean_duration), _number(s.proportion))
        )
        lines.append(
            f"{s.code:<20} {s.kind:<6} {s.count:>6} {total:>10} {mean:>9} {_number(s.rate_per_minute, 2):>8} {share:>7}"
        )
    return "\n".join(lines)


def format_agreement(a: Coding, b: Coding, unit: float) -> str:
    """A plain-text summary of :func:`agreement` between two codings."""
    result = agreement(a, b, unit)
    lines = [
        f"units: {result.n_units} of {unit} s",
        f"observed agreement: {result.observed_agreement:.3f}",
        f"kappa (combined labels): {_number(result.overall)}",
    ]
    lines += [f"  {code:<20} kappa {_number(k)}" for code, k in result.per_code.items()]
    return "\n".join(lines)


def format_boris_kappa(a: Coding, b: Coding, unit: float, subjects=None, codes=None) -> str:
    """A plain-text summary of :func:`boris_kappa` (BORIS's definition) between two codings."""
    result = boris_kappa(a, b, unit, tuple(subjects) if subjects else None, tuple(codes) if codes else None)
    shown = ", ".join(s or "No focal subject" for s in result.subjects)
    return "\n".join(
        [
            f"BORIS's time units: every {unit} s from {_number(result.start)} s to {_number(result.end)} s",
            f"subjects: {shown}",
            f"samples: {len(result.labels_a)} ({result.times} time points x {len(result.subjects)} subjects)",
            f"kappa (BORIS's definition): {_number(result.kappa)}",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 for a malformed file)."""
    parser = argparse.ArgumentParser(prog="python -m attunement.coding.cli", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    stats = commands.add_parser("stats", help="per-code statistics of a coding file")
    stats.add_argument("file")
    stats.add_argument("--observation", help="BORIS observation id (default: all)")
    kappa = commands.add_parser("kappa", help="Cohen's kappa between two codings of the same media")
    kappa.add_argument("file_a")
    kappa.add_argument("file_b")
    kappa.add_argument("--unit", type=float, default=1.0, help="time unit in seconds (default 1)")
    kappa.add_argument("--observation-a")
    kappa.add_argument("--observation-b")
    kappa.add_argument("--boris", action="store_true", help="BORIS's definition: per subject, observed interval")
    kappa.add_argument("--subject", action="append", help="with --boris: a subject to compare (repeat; default all)")
    kappa.add_argument("--code", action="append", help="with --boris: a behaviour to compare (repeat; default all)")
    args = parser.parse_args(argv)
    try:
        if args.command == "stats":
            print("\n\n".join(format_stats(c) for c in load_codings(args.file, args.observation)))
        else:
            a = load_codings(args.file_a, args.observation_a)[0]
            b = load_codings(args.file_b, args.observation_b)[0]
            if args.boris:
                print(format_boris_kappa(a, b, args.unit, args.subject, args.code))
            else:
                print(format_agreement(a, b, args.unit))
    except (CodingFormatError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

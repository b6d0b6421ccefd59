"""Speed of the coding agreement measures (attunement.coding.stats) on a long, busy coding. Prints figures.

    .venv/bin/python bench/coding_agreement.py              # one hour, three people, about 4,000 events each
    .venv/bin/python bench/coding_agreement.py --minutes 10

Two made-up codings of the same video: each person has a state that comes and goes and two kinds of moment; the
second coding is the first with every time moved by up to a second and a tenth of its events left out. Each
measure runs three times; the fastest run is printed.
"""

import argparse
import random
import time

from attunement.coding.model import Code, Coding, Ethogram, Event
from attunement.coding.stats import (
    agreement,
    boris_kappa,
    icc,
    krippendorff_alpha_nominal,
    point_agreement,
    subject_stats,
)

PEOPLE = ("learner", "partner", "")


def codings(minutes: float, seed: int = 1) -> tuple[Coding, Coding]:
    rng = random.Random(seed)
    ethogram = Ethogram((Code("looks", "looks", kind="state"), Code("smiles", "smiles"), Code("calls", "calls")))
    length = minutes * 60.0
    first, second = [], []
    for person in PEOPLE:
        t = 0.0
        while t < length - 5:
            start, t = t + rng.uniform(0.5, 5), t + rng.uniform(6, 15)
            events = [Event(start, "looks", person, end=min(t, length))]
            events += [Event(rng.uniform(start, t), rng.choice(("smiles", "calls")), person) for _ in range(3)]
            first += events
            for e in events:
                if rng.random() < 0.1:
                    continue
                move = rng.uniform(-1, 1)
                begin = max(0.0, e.time + move)
                second.append(Event(begin, e.code, person, None if e.end is None else max(begin, e.end + move)))
    return Coding(ethogram, tuple(first), length), Coding(ethogram, tuple(second), length)


def fastest(work, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - began)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=60.0)
    options = parser.parse_args()
    a, b = codings(options.minutes)
    print(f"{options.minutes:g} minutes, {len(a.events):,} and {len(b.events):,} events, 3 people")
    boris = boris_kappa(a, b, 1.0)
    units = agreement(a, b, 1.0)
    rows = [
        ("kappa, Attunement's 1 s units", lambda: agreement(a, b, 1.0), f"{units.overall:.3f}"),
        ("kappa, BORIS's 1 s units", lambda: boris_kappa(a, b, 1.0), f"{boris.kappa:.3f}"),
        ("kappa, BORIS's 0.5 s units", lambda: boris_kappa(a, b, 0.5), ""),
        (
            "Krippendorff's alpha on BORIS's samples",
            lambda: krippendorff_alpha_nominal([boris.labels_a, boris.labels_b]),
            f"{krippendorff_alpha_nominal([boris.labels_a, boris.labels_b]):.3f}",
        ),
        ("moments matched within 1 s", lambda: point_agreement(a, b, 1.0), f"F1 {point_agreement(a, b).f1:.3f}"),
        ("ICC on a 100 x 2 table", lambda: icc([[i, i + (i % 3)] for i in range(100)]), ""),
        ("statistics of one person", lambda: subject_stats(a, "learner"), ""),
    ]
    for name, work, value in rows:
        print(f"  {name:<42} {fastest(work) * 1000:8.1f} ms  {value}")


if __name__ == "__main__":
    main()

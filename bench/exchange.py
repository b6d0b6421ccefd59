"""Speed of reading and writing coding files (attunement.coding: BORIS, ELAN, CSV), and of refusing hostile ones.

    .venv/bin/python bench/exchange.py

Prints, for the reference files in ../shared/reference/ (when present) and for a generated coding of 50,000
events, the time to read and to write each format and the time pympi-ling (if installed) takes to read our ELAN
export; then the time and peak memory (tracemalloc, Python allocations) to refuse each hostile file: a BORIS
file of 100,000 nested lists, an ELAN file with 50,000 unaligned time slots on one tier, a CSV cell over 128 kB,
a CSV quote never closed, and ELAN files in UTF-16 with an internal entity. Budget: under a second per megabyte.
Each figure is the fastest of three runs.
"""

import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from attunement.coding.boris import dumps_boris, loads_boris  # noqa: E402
from attunement.coding.csvio import dumps_csv, loads_csv  # noqa: E402
from attunement.coding.elan import dumps_eaf, loads_eaf  # noqa: E402
from attunement.coding.model import DEFAULT_ETHOGRAM, Coding, CodingFormatError, Event, Limits  # noqa: E402

REFERENCE = ROOT.parent / "shared" / "reference"
RUNS = 3


def fastest(work) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(RUNS):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result


def line(what: str, size: int, seconds: float, extra: str = "") -> None:
    mb = size / 1_000_000
    print(
        f"  {what:<46} {size / 1024:>9,.0f} KiB {seconds * 1000:>9.1f} ms {seconds / max(mb, 1e-6):>7.3f} s/MB {extra}"
    )


def pympi_reads(text: str) -> float | None:
    try:
        import pympi
    except ImportError:
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".eaf", delete=False, encoding="utf-8") as handle:
        handle.write(text)
    took, _ = fastest(lambda: pympi.Elan.Eaf(handle.name))
    Path(handle.name).unlink()
    return took


def reference_files() -> None:
    print("Reference files (read, then write in the same format):")
    for name in ("boris/test.boris", "elan/sample_2.7.eaf", "elan/sample_3.0.eaf"):
        path = REFERENCE / name
        if not path.exists():
            print(f"  {name}: not here")
            continue
        data = path.read_bytes()
        if name.endswith(".boris"):
            took, codings = fastest(lambda data=data: loads_boris(data))
            line(f"read {name} ({len(codings)} observations)", len(data), took)
            coding = codings["observation #2"]
            took, _ = fastest(lambda coding=coding: dumps_eaf(coding))
            line("  its observation #2 written as ELAN", len(data), took)
        else:
            took, coding = fastest(lambda data=data: loads_eaf(data))
            line(f"read {name} ({len(coding.events):,} annotations)", len(data), took)
            took, text = fastest(lambda coding=coding: dumps_eaf(coding))
            other = pympi_reads(text)
            line(
                "  written back as ELAN",
                len(text.encode()),
                took,
                f"(pympi reads it in {other * 1000:.0f} ms)" if other else "",
            )


def generated() -> None:
    print("A generated coding of 50,000 events (default ethogram):")
    events = []
    for i in range(50_000):
        code = DEFAULT_ETHOGRAM.codes[i % len(DEFAULT_ETHOGRAM.codes)]
        start = i * 0.25
        events.append(Event(start, code.key, code.subject, start + 0.2 if code.kind == "state" else None))
    coding = Coding(DEFAULT_ETHOGRAM, tuple(events), 12_600.0)
    limits = Limits(events=200_000)
    for name, dumps, loads in (
        ("BORIS", dumps_boris, lambda text: loads_boris(text, limits)),
        ("ELAN", dumps_eaf, lambda text: loads_eaf(text, limits)),
        ("CSV", dumps_csv, lambda text: loads_csv(text, DEFAULT_ETHOGRAM, limits=limits)),
    ):
        took, text = fastest(lambda dumps=dumps: dumps(coding))
        size = len(text.encode())
        line(f"write {name}", size, took)
        took, _ = fastest(lambda loads=loads, text=text: loads(text))
        line(f"read {name}", size, took)


def hostile() -> None:
    from tests.coding.test_hostile_files import ENTITY, unaligned_elan

    print("Hostile files (each refused; peak memory of Python allocations while refusing):")
    cases = [
        (
            "BORIS, 100,000 nested lists",
            b'{"observations": {"o": {"events": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}}",
            loads_boris,
        ),
        ("ELAN, 50,000 unaligned slots on one tier", unaligned_elan(50_000), loads_eaf),
        ("CSV, a cell of 200,000 characters", b"time,code,comment\r\n1,L-smiles," + b"x" * 200_000 + b"\r\n", None),
        ("CSV, a quote never closed", b'time,code,comment\r\n1,L-smiles,"open\r\n' + b"2,L-smiles,ok\r\n" * 2000, None),
        ("ELAN, UTF-16 with an internal entity", ENTITY.encode("utf-16"), loads_eaf),
        ("ELAN, UTF-16-BE (no BOM) with an internal entity", ENTITY.encode("utf-16-be"), loads_eaf),
    ]
    for what, data, reader in cases:

        def refuse(data=data, reader=reader, what=what):
            try:
                (reader or (lambda d: loads_csv(d.decode())))(data)
            except CodingFormatError as error:
                return error.message
            raise AssertionError(f"{what} was accepted")

        took, message = fastest(refuse)
        tracemalloc.start()
        refuse()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        line(what, len(data), took, f"peak {peak / 1_000_000:.1f} MB")
        print(f"      “{message[:110]}…”")


if __name__ == "__main__":
    reference_files()
    generated()
    hostile()

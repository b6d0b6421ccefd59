"""Run one stage of a benchmark in a fresh interpreter and report its time and peak memory.

Each stage runs in a child process started with multiprocessing "spawn" (a new interpreter, as a worker would
be), so that its peak resident memory is its own: the child reports resource.getrusage(RUSAGE_SELF).ru_maxrss.
A stage is a module-level function (the child imports it) whose arguments and value can be pickled.
"""

import multiprocessing
import resource
import sys
import time


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """This process's peak resident memory, or with RUSAGE_CHILDREN that of the largest of the child processes
    it has waited for (ru_maxrss is in KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(who).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _child(connection, func, args) -> None:
    started = time.perf_counter()
    try:
        value, error = func(*args), None
    except Exception as exc:  # reported to the parent, which stops the benchmark
        value, error = None, f"{type(exc).__name__}: {exc}"
    connection.send(
        {
            "value": value,
            "error": error,
            "seconds": time.perf_counter() - started,
            "peak_mb": peak_rss_mb(),
            "children_peak_mb": peak_rss_mb(resource.RUSAGE_CHILDREN),
        }
    )
    connection.close()


def measure_stage(name: str, func, *args) -> dict:
    """Run ``func(*args)`` in a fresh child process; return its value, wall seconds, peak RSS (MB) and the peak
    RSS of the largest process it started itself (``children_peak_mb``, 0 if none).

    The time is measured inside the child, so interpreter start-up is not counted; a stage that returns a dict
    with its own "seconds" (leaving out the import of libraries, which a long-running worker has done already)
    is reported with those. The peak memory includes the interpreter and imported libraries, as a real
    worker's would. A stage that raises stops the benchmark with its error.
    """
    print(f"  {name} ...", flush=True)
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, func, args), name=f"bench-{name}")
    process.start()
    sender.close()
    report = receiver.recv()
    process.join()
    if report["error"]:
        raise SystemExit(f"Stage {name!r} failed: {report['error']}")
    if isinstance(report["value"], dict) and "seconds" in report["value"]:
        report["seconds"] = report["value"]["seconds"]
    report["name"] = name
    children = (
        f" (and {report['children_peak_mb']:.0f} MB in a process it started)" if report["children_peak_mb"] else ""
    )
    print(f"    {report['seconds']:.2f} s, peak {report['peak_mb']:.0f} MB{children}", flush=True)
    return report

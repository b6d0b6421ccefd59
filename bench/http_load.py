"""Drive the real web server at 1, 8 and 32 users at once; print throughput, p50/p95/p99 and each worker's share.

    ATTUNEMENT_VAR_DIR=/tmp/attunement-bench-1000 .venv/bin/python bench/http_load.py  # made by run.py --sizes
    DATABASE_URL=postgres://... .venv/bin/python bench/http_load.py --seconds 20 --users 1,8,32
    .venv/bin/python bench/http_load.py --compare  # also the old settings: connections kept open, 1,000 a worker

The server is gunicorn started as `make run` starts it (deploy/gunicorn.conf.py: 2 workers of 4 threads,
connections closed after each answer), on a free port, against the database filled by bench/generate.py. Each
user is a thread with its own connection that asks, one after another, for the practitioner's home page and the
timeline and About me page of one of their people, signed in as the benchmark's practitioner (kept-alive
connections, as a browser's). Gunicorn's access log names the worker (process id) that answered each request, so
the share of each worker is counted from it; with every request on one worker, the other's core stands idle.

(Named http_load.py, not http.py: the scripts here put this folder first on the import path, where a file
called http.py would stand in for Python's own http package.)
"""

import argparse
import http.client
import math
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def _signed_in_paths() -> tuple[str, list[str], str]:
    """A session cookie for the benchmark's practitioner and the pages each user asks for, from the database."""
    sys.path.insert(0, str(HERE))
    import generate

    generate.setup_django()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from attunement.learners.models import Learner

    user = get_user_model().objects.filter(email=generate.BENCH_PRACTITIONER).first()
    if user is None:
        raise SystemExit("No benchmark data here: fill the database with bench/generate.py (or run.py --sizes).")
    client = Client()
    client.force_login(user)
    people = list(Learner.objects.filter(assignments__user=user).order_by("pk").values_list("pk", flat=True)[:10])
    paths = [reverse("home")]
    for pk in people:
        paths += [
            reverse("practice:timeline", kwargs={"learner_id": pk}),
            reverse("learners:about", kwargs={"learner_id": pk}),
        ]
    description = connection.vendor + " " + str(connection.settings_dict["NAME"])
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}", paths, description


# gunicorn's defaults, which the server ran with before deploy/gunicorn.conf.py closed connections after each answer
# and let a worker hold no more connections than it has threads.
OLD_SETTINGS = ["--keep-alive", "2", "--worker-connections", "1000"]


def _start(port: int, log: Path, extra: list[str]) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "attunement.config.wsgi",
        "--chdir",
        "src",
        "--config",
        str(ROOT / "deploy" / "gunicorn.conf.py"),
        "--access-logfile",
        str(log),
        "--access-logformat",
        "%(p)s %(s)s",
    ]
    command += extra
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port), "DEBUG": "false"}
    errors = log.with_name("server-errors.log")
    with open(errors, "ab") as error_log:  # a file, not a pipe nobody reads: a full pipe would stop the server
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=error_log)
    for _ in range(300):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", "/accounts/login/")
            if connection.getresponse().status == 200 and len(_workers(server)) > 0:
                connection.close()
                return server
        except (OSError, http.client.HTTPException):
            pass
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped: {errors.read_text()[-2000:]}")
        time.sleep(0.2)
    _stop(server)
    raise SystemExit(f"gunicorn did not answer: {errors.read_text()[-2000:]}")


def _stop(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _workers(server: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def _user(port: int, cookie: str, paths: list[str], offset: int, until: float, out: list, errors: Counter) -> None:
    connection = None
    i = offset
    while time.perf_counter() < until:
        path = paths[i % len(paths)]
        i += 1
        if connection is None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers={"Cookie": cookie, "Host": "localhost"})
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException) as error:
            errors[type(error).__name__] += 1
            connection.close()
            connection = None
            continue
        out.append(time.perf_counter() - started)
        if response.status != 200:
            errors[f"status {response.status}"] += 1
        if response.getheader("Connection", "").lower() == "close" or response.will_close:
            connection.close()
            connection = None


def _load(port: int, cookie: str, paths: list[str], users: int, seconds: float, log: Path) -> dict:
    log.write_text("")
    times: list[list[float]] = [[] for _ in range(users)]
    errors: Counter = Counter()
    until = time.perf_counter() + seconds
    threads = [
        threading.Thread(target=_user, args=(port, cookie, paths, k * 3, until, times[k], errors)) for k in range(users)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    time.sleep(0.3)  # the access log is written after each answer
    by_worker = Counter(m.group(1) for line in log.read_text().splitlines() if (m := re.match(r"<(\d+)> \d+", line)))
    latencies = [t for per_user in times for t in per_user]
    return {
        "users": users,
        "requests": len(latencies),
        "per_second": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000 if latencies else 0,
        "p95": _percentile(latencies, 0.95) * 1000 if latencies else 0,
        "p99": _percentile(latencies, 0.99) * 1000 if latencies else 0,
        "by_worker": by_worker,
        "errors": errors,
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", default="1,8,32", help="users at once, one run each (default 1,8,32)")
    parser.add_argument("--seconds", type=float, default=15, help="length of each run (default 15)")
    parser.add_argument("--runs", type=int, default=1, help="runs of each load, each on a fresh server (default 1)")
    parser.add_argument(
        "--compare", action="store_true", help="also run with the old settings (keep-alive, 1,000 connections a worker)"
    )
    args = parser.parse_args(argv)
    cookie, paths, database = _signed_in_paths()
    settings = [("now", [])] + ([("before", OLD_SETTINGS)] if args.compare else [])
    print("Attunement under load through the real server")
    print(f"  database:   {database}")
    print(f"  machine:    {os.cpu_count()} CPU cores, {platform.machine()}, Python {platform.python_version()}")
    print("  server:     gunicorn with deploy/gunicorn.conf.py (now); before: " + " ".join(OLD_SETTINGS))
    print(f"  each user:  home, then a person's timeline and About me in turn ({len(paths)} pages), no pause")
    print(flush=True)
    rows = []
    folder = Path(tempfile.mkdtemp(prefix="attunement-http-"))
    log = folder / "access.log"
    try:
        for users in [int(n) for n in args.users.split(",")]:
            for name, extra in settings:
                for run in range(args.runs):
                    server = _start(port := _free_port(), log, extra)
                    try:
                        _load(port, cookie, paths, 1, 1.0, log)  # warm the workers' imports and caches a little
                        workers = _workers(server)
                        result = _load(port, cookie, paths, users, args.seconds, log)
                    finally:
                        _stop(server)
                    result.update(setting=name, shares=[result["by_worker"].get(str(pid), 0) for pid in workers])
                    rows.append(result)
                    print(
                        f"  {users} users, {name}, run {run + 1}: {result['per_second']:.1f} requests/s; "
                        f"requests per worker {' / '.join(str(n) for n in result['shares'])}",
                        flush=True,
                    )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print()
    print("| users | server | requests | per second | p50 ms | p95 ms | p99 ms | per worker | busiest | errors |")
    print("|---:|---|---:|---:|---:|---:|---:|---|---:|---|")
    for r in rows:
        total = sum(r["shares"]) or 1
        errors = ", ".join(f"{k} {v}" for k, v in r["errors"].items()) or "none"
        print(
            f"| {r['users']} | {r['setting']} | {r['requests']:,} | {r['per_second']:.1f} | {r['p50']:.0f} | "
            f"{r['p95']:.0f} | {r['p99']:.0f} | {' / '.join(str(n) for n in r['shares'])} | "
            f"{100 * max(r['shares'] or [0]) / total:.0f}% | {errors} |"
        )


if __name__ == "__main__":
    main()

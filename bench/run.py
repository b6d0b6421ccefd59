"""Server time of the busiest pages, against a database filled by bench/generate.py. Prints figures.

    ATTUNEMENT_VAR_DIR=/tmp/bench-sqlite .venv/bin/python bench/run.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/attunement_bench .venv/bin/python bench/run.py
    .venv/bin/python bench/run.py --generate --learners 2000 --sessions 100000   # fill a fresh database first

Each page is requested through Django's test client (the whole middleware stack, view and template, no
network), a few times to warm up and then --requests times; the median and 95th percentile are printed.
Saving a session posts the quick log form with a new submission key each time, as a practitioner does.
--explain prints the slowest queries of each page with the database's query plan.
"""

import argparse
import math
import os
import platform
import statistics
import sys
import time
import uuid
import warnings
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
BUDGET_MS = 200


def _setup():
    warnings.filterwarnings("ignore", message="No directory at")  # static files are not served here
    sys.path.insert(0, str(HERE))
    import generate

    generate.setup_django()
    from django.conf import settings

    # Measure as production runs: no query logging, no template debugging.
    settings.DEBUG = False
    if "localhost" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    return generate


def _database_description(connection) -> str:
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version} ({connection.settings_dict['NAME']})"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    return f"PostgreSQL {version} (database {connection.settings_dict['NAME']})"


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


class Case:
    def __init__(self, name: str, request, expect: int = 200, after=None):
        self.name, self.request, self.expect, self.after = name, request, expect, after


def _measure(case: Case, requests: int, warmup: int) -> dict:
    timings, bad = [], 0
    for i in range(warmup + requests):
        started = time.perf_counter()
        response = case.request()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != case.expect:
            bad += 1
            if bad == 1:
                print(f"    ! {case.name}: status {response.status_code}, expected {case.expect}", flush=True)
        if case.after:
            case.after()
        if i >= warmup:
            timings.append(elapsed)
    return {
        "median": statistics.median(timings),
        "p95": _percentile(timings, 0.95),
        "max": max(timings),
        "n": len(timings),
        "bad": bad,
    }


def _queries(case: Case, connection) -> list[dict]:
    """Every query one request makes, timed on its own."""
    captured = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            captured.append({"sql": sql, "params": params, "many": many, "ms": (time.perf_counter() - started) * 1000})

    with connection.execute_wrapper(timed):
        case.request()
    if case.after:
        case.after()
    return captured


def _explain(connection, query: dict) -> str:
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    try:
        with connection.cursor() as cursor:
            cursor.execute(prefix + query["sql"], query["params"])
            rows = cursor.fetchall()
    except Exception as error:  # a plan is a diagnostic extra; never stop the benchmark for it
        return f"      (no plan: {error})"
    return "\n".join(f"      {row[-1] if connection.vendor == 'sqlite' else row[0]}" for row in rows)


def _with_params(query: dict) -> str:
    return f"{query['sql']}  -- params {tuple(query['params'] or ())!r}"[:3000]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page (default 200)")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--explain", action="store_true", help="show the slowest queries of each page and their plan")
    parser.add_argument("--explain-over", type=float, default=2.0, help="plan only queries slower than this (ms)")
    parser.add_argument("--generate", action="store_true", help="fill the (fresh) database first")
    parser.add_argument("--learners", type=int, default=20_000)
    parser.add_argument("--sessions", type=int, default=1_000_000)
    parser.add_argument("--organisations", type=int, default=100)
    args = parser.parse_args(argv)

    generate = _setup()
    import pyotp
    from django.contrib.auth import get_user_model
    from django.db import DatabaseError, connection
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from attunement.accounts.two_factor import enrol_authenticator
    from attunement.learners.models import Learner
    from attunement.organisations.models import Membership
    from attunement.practice.models import Fundamental, ObservedBehaviour, Session
    from attunement.practice.selectors import learner_timeline

    if args.generate:
        generate.generate(learners=args.learners, sessions=args.sessions, organisations=args.organisations)
    User = get_user_model()
    try:
        practitioner = User.objects.filter(email=generate.BENCH_PRACTITIONER).first()
        coordinator = User.objects.filter(email=generate.BENCH_COORDINATOR).first()
    except DatabaseError:  # not even migrated
        practitioner = coordinator = None
    if practitioner is None or coordinator is None:
        raise SystemExit(
            "No benchmark data in this database. Fill it first with bench/generate.py, "
            "or run this with --generate against a fresh database."
        )

    membership = Membership.objects.get(user=practitioner)
    assigned = list(Learner.objects.filter(assignments__user=practitioner).values_list("pk", flat=True))
    busiest = (
        Session.objects.filter(learner_id__in=assigned)
        .values("learner_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    learner = Learner.objects.get(pk=busiest["learner_id"])
    fundamentals = list(
        Fundamental.objects.filter(organisation_id=learner.organisation_id, retired_at__isnull=True).values_list(
            "pk", flat=True
        )[:3]
    )

    print("Attunement page benchmark")
    print(f"  database:  {_database_description(connection)}")
    print(
        f"  data:      {Learner.objects.count():,} learners, {Session.objects.count():,} sessions, "
        f"{ObservedBehaviour.objects.count():,} observed behaviours"
    )
    print(
        f"  machine:   {os.cpu_count()} CPU cores, {platform.machine()}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )
    print(
        f"  timeline of learner {learner.pk}: {busiest['n']:,} sessions "
        f"({learner_timeline(actor=membership, learner=learner).count():,} visible to the practitioner)"
    )
    print(f"  {args.requests} timed requests per page after {args.warmup} to warm up; budget p95 < {BUDGET_MS} ms")
    print(flush=True)

    as_practitioner = Client(SERVER_NAME="localhost")
    as_practitioner.force_login(practitioner)
    as_coordinator = Client(SERVER_NAME="localhost")
    enrol_authenticator(coordinator, pyotp.random_base32())  # co-ordinators must have a second step
    as_coordinator.force_login(coordinator)
    timeline_url = reverse("practice:timeline", kwargs={"learner_id": learner.pk})
    log_url = reverse("practice:log_session", kwargs={"learner_id": learner.pk})
    home_url = reverse("home")
    list_url = reverse("learners:list")

    def post_session():
        started = timezone.localtime() - timedelta(minutes=30 + int.from_bytes(os.urandom(2)) % 3000)
        return as_practitioner.post(
            log_url,
            {
                "submission_key": str(uuid.uuid4()),
                "started_at": started.strftime("%Y-%m-%dT%H:%M"),
                "minutes": "10",
                "place": "Sensory room",
                "planned": "false",
                "partners": [str(practitioner.pk)],
                "fundamentals": [str(pk) for pk in fundamentals],
                "enjoyment": "3",
                "ending": "natural",
                "what_happened": "Copied my hum and waited for my turn; lovely long exchange.",
                "behaviour-0-text": "Held my gaze for several seconds",
                "behaviour-0-novelty": "typical",
            },
        )

    def forget_message():
        # Nobody reads the "saved" message between posts here; drop it so messages do not pile up.
        as_practitioner.cookies.pop("messages", None)

    cases = [
        Case("home (practitioner)", lambda: as_practitioner.get(home_url)),
        Case("home (co-ordinator)", lambda: as_coordinator.get(home_url)),
        Case("learner list (practitioner)", lambda: as_practitioner.get(list_url)),
        Case("learner list (co-ordinator)", lambda: as_coordinator.get(list_url)),
        Case("timeline (practitioner)", lambda: as_practitioner.get(timeline_url)),
        Case("timeline (co-ordinator)", lambda: as_coordinator.get(timeline_url)),
        Case("quick log form (GET)", lambda: as_practitioner.get(log_url)),
        Case("save a session (POST)", post_session, expect=302, after=forget_message),
    ]

    results = []
    for case in cases:
        print(f"  measuring {case.name} ...", flush=True)
        figures = _measure(case, args.requests, args.warmup)
        queries = _queries(case, connection)
        figures.update(
            name=case.name,
            queries=len(queries),
            query_ms=sum(q["ms"] for q in queries),
            slowest=sorted(queries, key=lambda q: -q["ms"])[:3],
        )
        results.append(figures)

    print()
    print(f"| page | requests | median ms | p95 ms | max ms | queries (ms) | p95 < {BUDGET_MS} ms |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for r in results:
        verdict = "yes" if r["p95"] < BUDGET_MS else "**no**"
        bad = f" ({r['bad']} bad status)" if r["bad"] else ""
        print(
            f"| {r['name']} | {r['n']}{bad} | {r['median']:.1f} | {r['p95']:.1f} | {r['max']:.1f} | "
            f"{r['queries']} ({r['query_ms']:.0f}) | {verdict} |"
        )

    if args.explain:
        print()
        for r in results:
            print(f"{r['name']}: {r['queries']} queries taking {r['query_ms']:.1f} ms; slowest:")
            for q in r["slowest"]:
                print(f"  {q['ms']:.2f} ms  {_with_params(q)}")
                if q["ms"] >= args.explain_over and q["sql"].lstrip().upper().startswith("SELECT") and not q["many"]:
                    print(_explain(connection, q))
            print()


if __name__ == "__main__":
    main()

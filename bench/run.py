"""CPU per request of the pages people use most, beside the floor measured in the same run. Prints figures.

    ATTUNEMENT_VAR_DIR=/tmp/bench-sqlite .venv/bin/python bench/run.py          # the database filled by generate.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/attunement_bench .venv/bin/python bench/run.py
    .venv/bin/python bench/run.py --generate --learners 2000 --sessions 100000   # fill a fresh database first
    .venv/bin/python bench/run.py --sizes 200,1000,5000                          # one organisation of each size

Each page is requested through Django's test client (the whole middleware stack, view and template, no
network, DEBUG off), a few times to warm up and then --requests times. The figure that holds whatever else the
machine is doing is the CPU time of this process per request (time.process_time around the client call): on
SQLite it includes the database's work, on PostgreSQL only this side of it. The **floor** is an empty view
served through the same middleware as a logged-in member (bench/floor_urls.py), measured in the same run; each
page is printed as milliseconds of CPU and as a multiple of the floor. Two references show what every page costs
before its own content: *page layout only* (the base template around one line) and *a person's page, nothing on
it* (the person found in the member's scope, the permission, the read written to the audit trail, the person's
buttons). What the pages are held to (docs/performance.md, "What the pages are held to"): the design's budget,
p95 under 200 ms of server time (the dashboard 500 ms), and no page growing with the organisation's size or a
person's history (compare the sizes: the last column of the --sizes table is the largest size's CPU over the
smallest's).

--sizes runs the whole benchmark once per size in a fresh process, each on a database of its own holding one
organisation of that many people with --per-person sessions each on average (made by bench/generate.py the
first time, kept for later runs): SQLite files under $ATTUNEMENT_VAR_DIR-<size> (default
/tmp/attunement-bench-<size>), or on PostgreSQL the databases <name>_<size> beside the one DATABASE_URL names.
Wall-clock medians and 95th percentiles are printed too; --explain prints the slowest queries with their plans.
"""

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
import uuid
import warnings
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
# The budget for each kind of page: the p95 of its server time, in ms. The references have none.
BUDGETS_MS = {"person": 200, "home": 200, "quick log": 200, "list": 200, "write": 200, "dashboard": 500}
# A page whose CPU at the largest size is within this of its CPU at the smallest is called flat.
FLAT = 1.25


def _setup():
    warnings.filterwarnings("ignore", message="No directory at")  # static files are not served here
    sys.path.insert(0, str(HERE))
    import generate

    generate.setup_django()
    from django.conf import settings

    # Measure as production runs: no query logging, no template debugging.
    settings.DEBUG = False
    settings.ROOT_URLCONF = "floor_urls"  # the project's URLs, the empty floor page and the bare layout
    settings.TEMPLATES[0]["DIRS"] = [*settings.TEMPLATES[0]["DIRS"], HERE / "templates"]
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
    def __init__(self, name: str, kind: str, request, expect: int = 200, after=None):
        self.name, self.kind, self.request, self.expect, self.after = name, kind, request, expect, after


def _measure(case: Case, requests: int, warmup: int) -> dict:
    cpu, wall, bad = [], [], 0
    for i in range(warmup + requests):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = case.request()
        elapsed_cpu, elapsed = (time.process_time() - started_cpu) * 1000, (time.perf_counter() - started) * 1000
        if response.status_code != case.expect:
            bad += 1
            if bad == 1:
                print(f"    ! {case.name}: status {response.status_code}, expected {case.expect}", flush=True)
        if case.after:
            case.after()
        if i >= warmup:
            cpu.append(elapsed_cpu)
            wall.append(elapsed)
    return {
        "cpu": statistics.median(cpu),
        "median": statistics.median(wall),
        "p95": _percentile(wall, 0.95),
        "n": len(wall),
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


def _profile(case: Case, top: int, requests: int = 10) -> None:
    """Where the page's CPU goes over `requests` requests: the functions with the most time of their own, and the
    most time in all they call."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    for _ in range(requests):
        profiler.enable()
        case.request()
        profiler.disable()
        if case.after:
            case.after()
    print(f"\n{case.name}: profile of {requests} requests")
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


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


def _database_for_size(size: int) -> dict[str, str]:
    """The environment of a child run on its own database for one size (PostgreSQL: created if missing)."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        parts = urlsplit(url)
        name = f"{parts.path.lstrip('/') or 'attunement_bench'}_{size}"
        import psycopg

        admin = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as connection:
            if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                connection.execute(f'CREATE DATABASE "{name}"')
        return {"DATABASE_URL": urlunsplit(parts._replace(path=f"/{name}"))}
    base = os.environ.get("ATTUNEMENT_VAR_DIR", "/tmp/attunement-bench").rstrip("/")
    return {"ATTUNEMENT_VAR_DIR": f"{base}-{size}"}


def _run_sizes(args) -> None:
    import tempfile

    runs = []
    for size in args.sizes:
        print(f"=== {size:,} people ===", flush=True)
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            command = [
                sys.executable,
                __file__,
                "--generate-if-empty",
                f"--learners={size}",
                f"--sessions={size * args.per_person}",
                "--organisations=1",
                f"--requests={args.requests}",
                f"--warmup={args.warmup}",
                f"--json={out.name}",
                *(["--explain"] if args.explain else []),
                *([f"--only={args.only}"] if args.only else []),
                *([f"--profile={args.profile}"] if args.profile else []),
            ]
            subprocess.run(command, env={**os.environ, **_database_for_size(size)}, check=True)
            runs.append({"size": size, **json.loads(Path(out.name).read_text())})
    print()
    print(f"CPU per request, ms (multiple of the floor), on {runs[0]['database'].split(' (')[0]}:")
    print()
    sizes = f"{runs[0]['size']:,} to {runs[-1]['size']:,}"
    print("| page | " + " | ".join(f"{run['size']:,} people" for run in runs) + f" | {sizes} |")
    print("|---|" + "---:|" * len(runs) + "---|")
    for i, row in enumerate(runs[0]["results"]):
        cells = [f"{run['results'][i]['cpu']:.1f} ({run['results'][i]['cpu'] / run['floor']:.1f}x)" for run in runs]
        growth = runs[-1]["results"][i]["cpu"] / row["cpu"]
        trend = f"{'flat' if growth <= FLAT else '**grows**'} ({growth:.2f}x)"
        print(f"| {row['name']} | " + " | ".join(cells) + f" | {trend} |")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100, help="timed requests per page (default 100)")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--explain", action="store_true", help="show the slowest queries of each page and their plan")
    parser.add_argument("--explain-over", type=float, default=2.0, help="plan only queries slower than this (ms)")
    parser.add_argument("--generate", action="store_true", help="fill the (fresh) database first")
    parser.add_argument("--generate-if-empty", action="store_true", help="fill the database unless it has data")
    parser.add_argument("--learners", type=int, default=20_000)
    parser.add_argument("--sessions", type=int, default=1_000_000)
    parser.add_argument("--organisations", type=int, default=100)
    parser.add_argument(
        "--sizes", type=lambda text: [int(n) for n in text.split(",")], help="e.g. 200,1000,5000: one run each"
    )
    parser.add_argument("--per-person", type=int, default=50, help="sessions per person with --sizes (default 50)")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--only", default="", help="measure only the pages whose name contains this (several: a,b)")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="also print where each page spends its CPU (top N functions)",
    )
    args = parser.parse_args(argv)
    if args.sizes:
        _run_sizes(args)
        return

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

    User = get_user_model()

    def bench_users():
        try:
            return (
                User.objects.filter(email=generate.BENCH_PRACTITIONER).first(),
                User.objects.filter(email=generate.BENCH_COORDINATOR).first(),
            )
        except DatabaseError:  # not even migrated
            connection.close()
            return None, None

    practitioner, coordinator = bench_users()
    if args.generate or (args.generate_if_empty and practitioner is None):
        generate.generate(learners=args.learners, sessions=args.sessions, organisations=args.organisations)
        practitioner, coordinator = bench_users()
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
    people_in_organisation = Learner.objects.filter(organisation_id=learner.organisation_id).count()
    staff_in_organisation = Membership.objects.filter(organisation_id=learner.organisation_id).count()

    database = _database_description(connection)
    print("Attunement page benchmark")
    print(f"  database:  {database}")
    print(
        f"  data:      {Learner.objects.count():,} people, {Session.objects.count():,} sessions, "
        f"{ObservedBehaviour.objects.count():,} observed behaviours; the benchmark's organisation has "
        f"{people_in_organisation:,} people and {staff_in_organisation:,} members of staff"
    )
    print(
        f"  machine:   {os.cpu_count()} CPU cores, {platform.machine()}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )
    print(
        f"  person:    {learner.pk}, {busiest['n']:,} sessions "
        f"({learner_timeline(actor=membership, learner=learner).count():,} visible to the practitioner)"
    )
    print(f"  {args.requests} timed requests per page after {args.warmup} to warm up")
    print(flush=True)

    as_practitioner = Client(SERVER_NAME="localhost")
    as_practitioner.force_login(practitioner)
    as_coordinator = Client(SERVER_NAME="localhost")
    enrol_authenticator(coordinator, pyotp.random_base32())  # co-ordinators must have a second step
    as_coordinator.force_login(coordinator)
    timeline_url = reverse("practice:timeline", kwargs={"learner_id": learner.pk})
    about_url = reverse("learners:about", kwargs={"learner_id": learner.pk})
    log_url = reverse("practice:log_session", kwargs={"learner_id": learner.pk})
    home_url = reverse("home")
    list_url = reverse("learners:list")
    dashboard_url = reverse("outcomes:dashboard")
    offline_url = reverse("practice:offline_pages")
    floor_url = reverse("bench_floor")
    layout_url = reverse("bench_layout")
    person_url = reverse("bench_person", kwargs={"learner_id": learner.pk})

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

    OFFLINE_COPY = {"X-Attunement-Offline-Copy": "1"}

    def forget_message():
        # Nobody reads the "saved" message between posts here; drop it so messages do not pile up.
        as_practitioner.cookies.pop("messages", None)

    floor = Case("floor", "floor", lambda: as_practitioner.get(floor_url))
    cases = [
        Case("page layout only", "reference", lambda: as_practitioner.get(layout_url)),
        Case("a person's page, nothing on it", "reference", lambda: as_practitioner.get(person_url)),
        Case("home (practitioner)", "home", lambda: as_practitioner.get(home_url)),
        Case("home (co-ordinator)", "home", lambda: as_coordinator.get(home_url)),
        Case("people list (practitioner)", "list", lambda: as_practitioner.get(list_url)),
        Case("people list (co-ordinator)", "list", lambda: as_coordinator.get(list_url)),
        Case("timeline (practitioner)", "person", lambda: as_practitioner.get(timeline_url)),
        Case("timeline (co-ordinator)", "person", lambda: as_coordinator.get(timeline_url)),
        Case("About me (practitioner)", "person", lambda: as_practitioner.get(about_url)),
        Case("quick log form (GET)", "quick log", lambda: as_practitioner.get(log_url)),
        Case("save a session (POST)", "write", post_session, expect=302, after=forget_message),
        Case("dashboard (co-ordinator)", "dashboard", lambda: as_coordinator.get(dashboard_url)),
        # What a tablet keeps for use with no connection (practice/offline.py), asked after a page loads.
        Case("pages kept offline (practitioner)", "list", lambda: as_practitioner.get(offline_url)),
        Case("pages kept offline (co-ordinator)", "list", lambda: as_coordinator.get(offline_url)),
        Case("a kept copy of About me", "person", lambda: as_practitioner.get(about_url, headers=OFFLINE_COPY)),
    ]

    wanted = [part.strip() for part in args.only.lower().split(",")]
    cases = [case for case in cases if any(part in case.name.lower() for part in wanted)]

    def run(case: Case) -> dict:
        print(f"  measuring {case.name} ...", flush=True)
        figures = _measure(case, args.requests, args.warmup)
        queries = _queries(case, connection)
        figures.update(
            name=case.name,
            budget=BUDGETS_MS.get(case.kind, 0),
            queries=len(queries),
            query_ms=sum(q["ms"] for q in queries),
            slowest=sorted(queries, key=lambda q: -q["ms"])[:3],
        )
        return figures

    # The floor before and after the pages: the lower median is the floor (a busy machine only adds).
    floors = [run(floor)]
    results = [run(case) for case in cases]
    floors.append(run(floor))
    floor_figures = min(floors, key=lambda r: r["cpu"])
    floor_cpu = floor_figures["cpu"]
    results.insert(0, floor_figures)

    print()
    print(f"Floor: an empty page through the same middleware, {floor_cpu:.2f} ms CPU per request")
    print(f"(before the pages {floors[0]['cpu']:.2f} ms, after them {floors[1]['cpu']:.2f} ms)")
    print()
    print("| page | CPU ms | x floor | wall median ms | wall p95 ms | p95 within budget | queries (ms) |")
    print("|---|---:|---:|---:|---:|---|---:|")
    for r in results:
        budget = r.get("budget")
        verdict = f"{'yes' if r['p95'] < budget else '**no**'} (< {budget} ms)" if budget else "—"
        bad = f" ({r['bad']} bad status)" if r["bad"] else ""
        print(
            f"| {r['name']}{bad} | {r['cpu']:.1f} | {r['cpu'] / floor_cpu:.1f} | {r['median']:.1f} | "
            f"{r['p95']:.1f} | {verdict} | {r['queries']} ({r['query_ms']:.0f}) |"
        )

    if args.profile:
        for case in cases:
            _profile(case, args.profile)

    if args.explain:
        print()
        for r in results:
            print(f"{r['name']}: {r['queries']} queries taking {r['query_ms']:.1f} ms; slowest:")
            for q in r["slowest"]:
                print(f"  {q['ms']:.2f} ms  {_with_params(q)}")
                if q["ms"] >= args.explain_over and q["sql"].lstrip().upper().startswith("SELECT") and not q["many"]:
                    print(_explain(connection, q))
            print()
    if args.json:
        for r in results:
            r.pop("slowest")
        Path(args.json).write_text(json.dumps({"database": database, "floor": floor_cpu, "results": results}))


if __name__ == "__main__":
    main()

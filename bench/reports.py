"""Time the reports and the dashboard on a database filled by bench/generate.py.

Usage:  .venv/bin/python bench/reports.py [--requests 50]

Prints, as figures (not assertions): the time to draw one learner's year report as a PDF (budget: under
5 s) and the server time of the organisation dashboard, median and p95 (budget: p95 under 500 ms).
"""

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from run import _database_description, _percentile, _setup

    _setup()
    import pyotp
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count, Q
    from django.test import Client

    from attunement.accounts.two_factor import enrol_authenticator
    from attunement.learners.models import Learner
    from attunement.organisations.models import Membership, Role

    call_command("migrate", verbosity=0)
    coordinator = Membership.objects.filter(role=Role.COORDINATOR, user__email="bench-coordinator@example.org").first()
    if coordinator is None:
        raise SystemExit("No benchmark data here: fill the database with bench/generate.py first.")
    enrol_authenticator(coordinator.user, pyotp.random_base32())
    busiest = (
        Learner.objects.filter(organisation=coordinator.organisation)
        .annotate(n=Count("sessions", filter=Q(sessions__withdrawn_at__isnull=True)))  # as the reports count
        .order_by("-n")
        .first()
    )
    client = Client(SERVER_NAME="localhost")
    client.force_login(coordinator.user)
    print(f"Database: {_database_description(connection)}")
    print(f"Machine: {os.cpu_count()} CPU cores, {platform.machine()}, Python {platform.python_version()}")
    print(
        f"Learners: {Learner.objects.count():,}; this organisation: "
        f"{Learner.objects.filter(organisation=coordinator.organisation).count():,}; "
        f"busiest learner's sessions: {busiest.n:,}"
    )

    pdf_times = []
    for kind in ("story", "family", "evidence"):
        started = time.perf_counter()
        response = client.get(f"/learners/{busiest.pk}/reports/{kind}/", {"format": "pdf"})
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        pdf_times.append(elapsed)
        print(f"  {kind} year report as PDF: {elapsed:.2f} s ({len(response.content) / 1024:.0f} KB)  budget < 5 s")

    timings = []
    for i in range(args.requests + 3):
        started = time.perf_counter()
        response = client.get("/organisation/summary/dashboard/")
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.status_code
        if i >= 3:
            timings.append(elapsed)
    print(
        f"  dashboard, {args.requests} requests: median {statistics.median(timings):.0f} ms, "
        f"p95 {_percentile(timings, 0.95):.0f} ms  budget p95 < 500 ms"
    )


if __name__ == "__main__":
    main()

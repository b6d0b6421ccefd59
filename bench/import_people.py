"""How long a new school's import of people takes, step by step, through the real pages.

Usage:  ATTUNEMENT_VAR_DIR=/tmp/bench-import .venv/bin/python bench/import_people.py [--rows 60 5000] [--browser]

For each size, a workbook of that many pupils in four classes, each with a key member of staff, is written with
XlsxWriter (as another program would) and taken through the pages as a co-ordinator would: the upload (reading
and checking the file), the choice of columns, the preview (every row worked out against the organisation), the
confirmation (everything saved in one transaction), then the same file again (every row found, nothing changed).
It runs in the demonstration organisation of the database in $ATTUNEMENT_VAR_DIR (made with the demo data if
empty); each size's pupils are taken out again afterwards, so a run can be repeated.

With --browser, it also runs the browser test that does the same with 60 pupils in Chromium
(tests/e2e/test_import_people.py) and prints its time from start to end.

Prints figures, not assertions.
"""

import argparse
import io
import os
import platform
import re
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CLASSES = ["Acorns", "Birches", "Cedars", "Damsons"]
STAFF = ["sam@oakfield.example", "alex@oakfield.example", "jordan@oakfield.example", "morgan@oakfield.example"]
HEADINGS = ["Legal Forename", "Legal Surname", "DOB", "Reg Group", "Primary Need", "UPN", "Key Adult"]


def workbook(size: int) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Pupils")
    dates = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, HEADINGS)
    for n in range(size):
        sheet.write_row(n + 1, 0, [f"Bench{n:05d}", f"Pupil{n:05d}"])
        sheet.write_datetime(n + 1, 2, datetime(2008, 9, 1) + timedelta(days=n % 4000), dates)
        sheet.write_row(n + 1, 3, [CLASSES[n % 4], "Autism", f"B{size:05d}{n:08d}", STAFF[n % 4]])
    book.close()
    return out.getvalue()


def timed(step: str, figures: dict, call):
    started = time.perf_counter()
    result = call()
    figures[step] = time.perf_counter() - started
    return result


def run_size(client, size: int) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    figures: dict[str, float] = {}
    data = workbook(size)
    upload = SimpleUploadedFile("pupils.xlsx", data)
    answer = timed("upload and read", figures, lambda: client.post(reverse("learners:import"), {"file": upload}))
    if answer.status_code != 302:
        raise SystemExit(f"The upload of {size} rows was refused: {answer.status_code}")
    columns = {"first_name": "0", "last_name": "1", "date_of_birth": "2", "group": "3", "needs": "4"}
    timed(
        "choose columns",
        figures,
        lambda: client.post(reverse("learners:import_columns"), {**columns, "identifier": "5", "key_staff": "6"}),
    )
    preview = timed("preview", figures, lambda: client.get(reverse("learners:import_preview")))
    found = re.search(r'name="digest" value="([0-9a-f]+)"', preview.content.decode())
    if found is None:
        raise SystemExit(f"The preview of {size} rows offers no import: {preview.status_code}")
    digest = found.group(1)
    done = timed("confirm (save)", figures, lambda: client.post(reverse("learners:import_preview"), {"digest": digest}))
    if done.status_code != 302:
        raise SystemExit(f"Confirming {size} rows failed: {done.status_code}")
    again = SimpleUploadedFile("pupils.xlsx", data)
    timed("same file again: upload", figures, lambda: client.post(reverse("learners:import"), {"file": again}))
    repeat = timed("same file again: preview", figures, lambda: client.get(reverse("learners:import_preview")))
    unchanged = int(re.search(r"<strong>(\d+)</strong> already up to date", repeat.content.decode()).group(1))
    figures["rows found unchanged"] = unchanged
    figures["file size (KB)"] = len(data) / 1024
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[60, 5000])
    parser.add_argument("--browser", action="store_true", help="also time the browser test of 60 pupils")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from run import _database_description, _setup

    _setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from attunement.learners.models import Learner
    from attunement.organisations.models import Membership

    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--if-empty", stdout=io.StringIO())
    coordinator = Membership.objects.get(user__email="priya@oakfield.example")
    client = Client(SERVER_NAME="localhost")
    client.force_login(coordinator.user)

    print(f"Database: {_database_description(connection)}")
    print(f"Machine: {os.cpu_count()} CPU cores, {platform.machine()}, Python {platform.python_version()}")
    for size in args.rows:
        Learner.objects.filter(organisation=coordinator.organisation, first_name__startswith="Bench").delete()
        started = time.perf_counter()
        figures = run_size(client, size)
        total = time.perf_counter() - started
        print(f"\n{size:,} pupils in {len(CLASSES)} classes ({figures.pop('file size (KB)'):.0f} KB workbook):")
        unchanged = figures.pop("rows found unchanged")
        for step, seconds in figures.items():
            print(f"  {step:<28} {seconds * 1000:9.0f} ms")
        print(f"  {'all steps':<28} {total * 1000:9.0f} ms   (again: {unchanged:,} of {size:,} rows unchanged)")
        Learner.objects.filter(organisation=coordinator.organisation, first_name__startswith="Bench").delete()

    if args.browser:
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "tests/e2e/test_import_people.py"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        outcome = "passed" if result.returncode == 0 else "FAILED"
        print(
            f"\nBrowser (Chromium, tablet size), 60 pupils from upload to checking every class: "
            f"{time.perf_counter() - started:.1f} s, test {outcome} (includes starting the browser and the server)"
        )


if __name__ == "__main__":
    main()

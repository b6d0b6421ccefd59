"""How long setting up a whole new school takes: 60 pupils in four classes, then 25 staff invited, through the pages.

Usage:  ATTUNEMENT_VAR_DIR=/tmp/bench-school .venv/bin/python bench/new_school.py [--pupils 60] [--staff 25] [--browser]

What it measures, and what it does not:
- **Machine time**: the server's work for every step a co-ordinator takes, through Django's test client (the whole
  middleware stack, views and templates): the pupils' workbook uploaded, its columns chosen, the preview, the
  confirmation; then the staff workbook (written with XlsxWriter, each member of staff working with three pupils
  by UPN) uploaded, previewed and confirmed, with every invitation e-mail delivered to a real SMTP server on this
  machine (aiosmtpd); then both files again, which must change nothing and send nothing.
- With --browser, the browser test that does the same in Chromium at tablet size, two refused rows corrected in
  each file (tests/e2e/test_import_people.py), from start to end: that is the pages' time as a person sees it,
  without the time a person spends reading the preview or correcting the file.
- Not measured: preparing the spreadsheets (an export from the school's information system and its staff list)
  and reading the previews. The page steps a person takes are counted below, so the time a person needs can be
  judged from them: the goal is under 10 minutes.

It runs in the demonstration organisation of the database in $ATTUNEMENT_VAR_DIR (made with the demo data if
empty); the pupils and invitations it makes are taken out afterwards, so a run can be repeated. Prints figures,
not assertions.
"""

import argparse
import io
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
STAFF_HEADINGS = ["First name", "Last name", "E-mail", "Role", "Site", "Works with"]
JOBS = ["Teaching assistant", "Teacher", "HLTA", "Support worker", "Therapist"]
# What a co-ordinator does on the pages for the whole school, as the browser test does it: open the import, upload,
# choose a column, look at the preview, upload the corrected file, confirm; for the pupils, then for the staff.
PERSON_STEPS = {
    "pupils": ["open the import", "upload", "choose a column", "show the preview", "upload corrected", "import"],
    "staff": ["open the members page", "open the import", "upload", "choose a column", "upload corrected", "send"],
}


def staff_workbook(pupils: int, staff: int) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Staff")
    sheet.write_row(0, 0, STAFF_HEADINGS)
    for n in range(staff):
        # The pupils' identifiers as bench/import_people.py writes them.
        works_with = "; ".join(f"B{pupils:05d}{p:08d}" for p in range(n, pupils, staff)[:3])
        site = "Primary" if n % 2 else "Secondary"
        row = [f"Bench{n:02d}", f"Staff{n:02d}", f"bench.staff{n:02d}@oakfield.example", JOBS[n % 5], site, works_with]
        sheet.write_row(n + 1, 0, row)
    book.close()
    return out.getvalue()


def timed(step: str, figures: dict, call):
    started = time.perf_counter()
    result = call()
    figures[step] = time.perf_counter() - started
    return result


def run_staff(client, pupils: int, staff: int, smtp) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    figures: dict[str, float] = {}
    data = staff_workbook(pupils, staff)
    upload = SimpleUploadedFile("staff.xlsx", data)
    answer = timed("staff: upload and read", figures, lambda: client.post(reverse("members:import"), {"file": upload}))
    if answer.status_code != 302:
        raise SystemExit(f"The staff upload was refused: {answer.status_code}")
    preview = timed("staff: preview", figures, lambda: client.get(reverse("members:import_preview")))
    found = re.search(r'name="digest" value="([0-9a-f]+)"', preview.content.decode())
    if found is None:
        raise SystemExit(f"The staff preview offers nothing to confirm: {preview.status_code}")
    done = timed(
        "staff: confirm (invite)",
        figures,
        lambda: client.post(reverse("members:import_preview"), {"digest": found.group(1)}),
    )
    if done.status_code != 302:
        raise SystemExit(f"Confirming the staff failed: {done.status_code}")
    figures["e-mails received"] = len(smtp.messages)
    again = SimpleUploadedFile("staff.xlsx", data)
    timed("staff again: upload", figures, lambda: client.post(reverse("members:import"), {"file": again}))
    repeat = timed("staff again: preview", figures, lambda: client.get(reverse("members:import_preview")))
    figures["staff found again"] = int(
        re.search(r"<strong>(\d+)</strong> already here or invited", repeat.content.decode()).group(1)
    )
    figures["e-mails after the second file"] = len(smtp.messages)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=60)
    parser.add_argument("--staff", type=int, default=25)
    parser.add_argument("--browser", action="store_true", help="also time the browser test of the whole school")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(ROOT))
    from run import _database_description, _setup

    _setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from import_people import CLASSES, run_size

    from attunement.learners.models import Learner
    from attunement.members.models import Invitation
    from attunement.organisations.models import Membership
    from tests.smtp import SmtpServer

    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--if-empty", stdout=io.StringIO())
    coordinator = Membership.objects.get(user__email="priya@oakfield.example")
    organisation = coordinator.organisation
    client = Client(SERVER_NAME="localhost")
    client.force_login(coordinator.user)

    def clean():
        Learner.objects.filter(organisation=organisation, first_name__startswith="Bench").delete()
        Invitation.objects.filter(organisation=organisation, email__startswith="bench.staff").delete()

    print(f"Database: {_database_description(connection)}")
    print(f"Machine: {os.cpu_count()} CPU cores, {platform.machine()}, Python {platform.python_version()}")
    clean()
    with SmtpServer() as smtp:
        for name, value in smtp.django_settings.items():
            setattr(settings, name, value)
        started = time.perf_counter()
        pupils = run_size(client, args.pupils)
        staff = run_staff(client, args.pupils, args.staff, smtp)
        total = time.perf_counter() - started
    clean()

    print(f"\n{args.pupils} pupils in {len(CLASSES)} classes, then {args.staff} staff invited (machine time):")
    pupils.pop("file size (KB)")
    unchanged = pupils.pop("rows found unchanged")
    for step, seconds in pupils.items():
        print(f"  pupils: {step:<30} {seconds * 1000:9.0f} ms")
    counts = {key: staff.pop(key) for key in ("e-mails received", "staff found again", "e-mails after the second file")}
    for step, seconds in staff.items():
        print(f"  {step:<38} {seconds * 1000:9.0f} ms")
    print(f"  {'the whole school, every step':<38} {total * 1000:9.0f} ms")
    print(
        f"  pupils found unchanged the second time: {unchanged} of {args.pupils}; invitation e-mails received: "
        f"{counts['e-mails received']} (after the same staff file again: {counts['e-mails after the second file']}); "
        f"staff found again: {counts['staff found again']} of {args.staff}"
    )
    steps = sum(len(actions) for actions in PERSON_STEPS.values())
    print(
        f"\nA person takes {steps} page steps for the whole school (two files, one correction each): "
        + "; ".join(f"{what}: {', '.join(actions)}" for what, actions in PERSON_STEPS.items())
        + ". Their time is these steps plus reading two previews and correcting two files: the goal is under 10 "
        "minutes."
    )

    if args.browser:
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "tests/e2e/test_import_people.py"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        outcome = "passed" if result.returncode == 0 else "FAILED"
        seconds = time.perf_counter() - started
        print(
            "\nBrowser (Chromium, tablet size), 60 pupils and 25 staff, two rows corrected in each file, from signing "
            f"in to an invited teaching assistant seeing their pupils: {seconds:.1f} s, test {outcome} (includes "
            "starting the browser and the server, not a person's reading or typing)"
        )


if __name__ == "__main__":
    main()

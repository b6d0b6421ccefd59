"""A new co-ordinator brings a whole school in from spreadsheets: 60 pupils in four classes, two rows refused and
corrected in the file, then confirmed; everyone is then in the right class with the right key staff. Then 25
staff from a second file, two rows refused and corrected, confirmed: each gets one invitation (read back from a
real SMTP server), linked to the pupils they work with, and all 25 are on the members page."""

import re
from datetime import date, datetime, timedelta

import pytest
import xlsxwriter
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from attunement.learners.models import Assignment, Learner
from attunement.members.models import Invitation
from tests.smtp import SmtpServer, body

from .conftest import log_in

CLASSES = ["Acorns", "Birches", "Cedars", "Damsons"]
STAFF = ["sam@oakfield.example", "alex@oakfield.example", "jordan@oakfield.example", "morgan@oakfield.example"]
# As a school information system exports them; "Key Adult Login" is not a heading the importer knows.
HEADINGS = [
    "Legal Forename",
    "Legal Surname",
    "Preferred Forename",
    "DOB",
    "Reg Group",
    "Primary Need",
    "UPN",
    "Key Adult Login",
]


def pupils() -> list[list]:
    rows = []
    for n in range(60):
        born = datetime(2012, 9, 1) + timedelta(days=37 * n)
        rows.append(
            [
                f"Pupil{n:02d}",
                f"Importson{n:02d}",
                "",
                born,
                CLASSES[n % 4],
                "Autism" if n % 3 else "PMLD",
                f"K{n:012d}",
                STAFF[n % 4],
            ]
        )
    return rows


# The school's staff list, with its own headings: "Pupils Supported" is not one the importer knows.
STAFF_HEADINGS = ["Forename", "Surname", "Email", "Job Title", "Site", "Pupils Supported"]
NEW_PASSWORD = "orchard-lantern-pebble-73"
JOBS = ["Teaching assistant", "Teacher", "HLTA", "Support worker", "Therapist"]


def staff() -> list[list]:
    """25 staff; each works with the pupils of one class, by UPN: staff member n with pupils n, n + 25 and n + 50."""
    rows = []
    for n in range(25):
        pupils_of = "; ".join(f"K{p:012d}" for p in (n, n + 25, n + 50) if p < 60)
        site = "Primary" if n % 2 else "Secondary"
        rows.append([f"Staff{n:02d}", f"Newman{n:02d}", f"staff{n:02d}@oakfield.example", JOBS[n % 5], site, pupils_of])
    return rows


@pytest.fixture
def smtp(settings):
    with SmtpServer() as server:
        for name, value in server.django_settings.items():
            setattr(settings, name, value)
        yield server


def workbook(rows, path, headings=HEADINGS, title="Pupils"):
    """Written with XlsxWriter, as another program would, with real date cells."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet(title)
    dates = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, headings)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, datetime):
                sheet.write_datetime(r, c, value, dates)
            elif isinstance(value, str) and value.startswith("="):
                sheet.write_formula(r, c, value, None, "Pupil")
            else:
                sheet.write_string(r, c, value)
    book.close()
    return path


def test_a_new_coordinator_imports_sixty_pupils_in_four_classes_and_invites_twenty_five_staff(
    new_tablet, live_server, tmp_path, smtp
):
    page, base = new_tablet(), live_server.url
    axe = Axe()
    rows = pupils()
    wrong = [row[:] for row in rows]
    wrong[10][3] = "10/23/2013"  # month first: refused, not guessed
    wrong[41][0] = '=HYPERLINK("http://example.com","Pupil41")'  # a formula: never run, refused
    log_in(page, base, "priya@oakfield.example")

    page.goto(f"{base}/learners/")
    page.get_by_role("link", name="Import from a spreadsheet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import pupils from a spreadsheet")
    page.set_input_files("#id_file", workbook(wrong, tmp_path / "pupils.xlsx"))
    page.get_by_role("button", name="Upload and check").click()

    # The co-ordinator says which column holds the key staff.
    expect(page.get_by_role("heading", level=1)).to_have_text("Which column is which?")
    assert _serious(axe, page) == []
    page.get_by_label("Key staff e-mail").select_option(label="Column 8: Key Adult Login")
    page.get_by_role("button", name="Show what would happen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check the import")
    refused = page.locator("#refused")
    expect(refused).to_contain_text("2 rows refused")
    expect(refused).to_contain_text("Row 12 (Pupil10 Importson10): Date of birth: “10/23/2013” looks like month first")
    expect(refused).to_contain_text("formula")
    expect(page.get_by_role("button", name=re.compile(r"^Import \d+"))).to_have_count(0)
    assert _serious(axe, page) == []
    assert not Learner.objects.filter(last_name__startswith="Importson").exists()

    # The co-ordinator corrects the two rows in the file and uploads it again: the columns chosen are kept.
    page.get_by_role("link", name="Upload a corrected file").click()
    page.set_input_files("#id_file", workbook(rows, tmp_path / "pupils-corrected.xlsx"))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the import")
    expect(page.locator(".summary-counts")).to_contain_text("60 to add")
    expect(page.locator("body")).to_contain_text("New classes or groups to add: Acorns, Birches, Cedars, Damsons")
    page.get_by_role("button", name="Import 60 pupils").click()

    expect(page.locator("body")).to_contain_text("Imported: 60 added, 0 updated, 0 already up to date.")
    for name in CLASSES:
        page.get_by_label("Class or group").select_option(label=name)
        page.get_by_role("button", name="Search").click()
        expect(page.get_by_role("heading", level=2)).to_have_text(name)
        cards = page.locator(".person-grid > li")
        expect(cards).to_have_count(15)
    # One pupil's page of who works with them names their key member of staff.
    pupil = Learner.objects.get(first_name="Pupil05")
    page.goto(f"{base}/learners/{pupil.pk}/people/")
    expect(page.locator("main")).to_contain_text("Alex")

    imported = Learner.objects.filter(last_name__startswith="Importson").select_related("group")
    assert imported.count() == 60
    for learner in imported:
        n = int(learner.first_name[-2:])
        assert learner.group.name == CLASSES[n % 4]
        assert learner.date_of_birth == date(2012, 9, 1) + timedelta(days=37 * n)
        assert list(Assignment.objects.filter(learner=learner).values_list("user__email", flat=True)) == [STAFF[n % 4]]

    # The same file again changes nothing.
    page.goto(f"{base}/learners/import/")
    page.set_input_files("#id_file", workbook(rows, tmp_path / "pupils-again.xlsx"))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator(".summary-counts")).to_contain_text("60 already up to date")
    expect(page.locator("body")).to_contain_text("there is nothing to import")

    # Now the staff, from the members page.
    team = staff()
    wrong = [row[:] for row in team]
    wrong[3][3] = "Lunchtime supervisor"  # not a role Attunement knows: refused with the words it does know
    wrong[17][2] = "staff17@oakfield"  # not an e-mail address
    page.goto(f"{base}/organisation/members/")
    page.get_by_role("link", name="Invite many from a spreadsheet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invite staff from a spreadsheet")
    page.set_input_files("#id_file", workbook(wrong, tmp_path / "staff.xlsx", STAFF_HEADINGS, "Staff"))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Which column is which?")
    assert _serious(axe, page) == []
    page.get_by_label("Works with").select_option(label="Column 6: Pupils Supported")
    page.get_by_role("button", name="Show what would happen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check the staff import")
    refused = page.locator("#refused")
    expect(refused).to_contain_text("2 rows refused")
    expect(refused).to_contain_text("Row 5 (Staff03 Newman03): “Lunchtime supervisor” is not a role Attunement knows")
    expect(refused).to_contain_text("Row 19 (Staff17 Newman17): “staff17@oakfield” is not an e-mail address.")
    expect(page.get_by_role("button", name=re.compile(r"^Send \d+"))).to_have_count(0)
    assert _serious(axe, page) == []
    assert smtp.messages == [] and not Invitation.objects.filter(email__startswith="staff").exists()

    page.get_by_role("link", name="Upload a corrected file").click()
    page.set_input_files("#id_file", workbook(team, tmp_path / "staff-corrected.xlsx", STAFF_HEADINGS, "Staff"))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator(".summary-counts")).to_contain_text("25 to invite")
    page.get_by_role("button", name="Send 25 invitations").click()
    expect(page.locator("body")).to_contain_text("Imported: 25 invited, 0 updated, 0 already here or already invited.")
    expect(page.get_by_role("heading", name="Invitations not used yet (25)")).to_be_visible()
    for n in (0, 12, 24):
        expect(page.get_by_role("rowheader", name=re.compile(f"staff{n:02d}@oakfield.example"))).to_be_visible()

    assert sorted(message["To"] for message in smtp.messages) == [f"staff{n:02d}@oakfield.example" for n in range(25)]
    therapist = next(message for message in smtp.messages if message["To"] == "staff04@oakfield.example")
    assert "as a therapist" in body(therapist) and "Pupil" not in body(therapist)
    for n in range(25):
        invitation = Invitation.objects.get(email=f"staff{n:02d}@oakfield.example")
        assert invitation.site.name == ("Primary" if n % 2 else "Secondary")
        pupils_of = sorted(invitation.learners.values_list("first_name", flat=True))
        assert pupils_of == [f"Pupil{p:02d}" for p in (n, n + 25, n + 50) if p < 60]

    # The same staff file again invites nobody twice.
    page.goto(f"{base}/organisation/members/import/")
    page.set_input_files("#id_file", workbook(team, tmp_path / "staff-again.xlsx", STAFF_HEADINGS, "Staff"))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator(".summary-counts")).to_contain_text("25 already here or invited")
    expect(page.locator("body")).to_contain_text("there is nothing to import")
    assert len(smtp.messages) == 25

    # A teaching assistant accepts: they see exactly their three pupils, and are those pupils' key staff.
    first = next(message for message in smtp.messages if message["To"] == "staff00@oakfield.example")
    link = re.search(r"https?://\S+/invitation/\S+/", body(first)).group(0)
    newcomer = new_tablet()
    newcomer.goto(link)
    newcomer.get_by_label("Choose a password").fill(NEW_PASSWORD)
    newcomer.get_by_label("The same password again").fill(NEW_PASSWORD)
    newcomer.get_by_role("button", name="Make my account").click()
    expect(newcomer.get_by_text("Your account is ready")).to_be_visible()
    log_in(newcomer, base, "staff00@oakfield.example", password=NEW_PASSWORD)
    newcomer.goto(f"{base}/learners/")
    expect(newcomer.locator(".person-grid > li")).to_have_count(3)
    for name in ("Pupil00", "Pupil25", "Pupil50"):
        expect(newcomer.locator(".person-grid")).to_contain_text(name)
    pupil = Learner.objects.get(first_name="Pupil25")
    page.goto(f"{base}/learners/{pupil.pk}/people/")
    expect(page.locator("main")).to_contain_text("Staff00")


def _serious(axe, page) -> list[str]:
    violations = axe.run(page).response["violations"]
    return [f"{v['id']}: {v['help']}" for v in violations if v["impact"] in ("serious", "critical")]

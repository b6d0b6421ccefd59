"""The audit trail answers a data protection officer: anyone's actions can be picked out (family members and
external viewers too), report reads say which report and format, changes say what they were before and after,
every action code has plain words, and leaders can download the filtered trail as CSV or XLSX."""

import codecs
import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse

from attunement.organisations.audit import audit_record
from attunement.organisations.models import AuditEntry, Role
from attunement.organisations.templatetags.audit_words import THINGS, VERBS, audit_words, describe

from ..conftest import login, shown

SRC = Path(__file__).resolve().parents[2] / "src" / "attunement"


def audit_page(client, **filters) -> str:
    response = client.get(reverse("audit"), filters)
    assert response.status_code == 200
    return shown(response)


@pytest.mark.django_db
class TestFilterByAnyone:
    def test_family_members_and_external_viewers_are_in_done_by_and_their_reads_can_be_picked_out(self, world, client):
        family, external = world.members[Role.FAMILY], world.members[Role.EXTERNAL]
        family.user.first_name, family.user.last_name = "Ruth", "Parent"
        family.user.save()
        login(client, family)
        assert client.get(reverse("practice:family_person", kwargs={"learner_id": world.mine.pk})).status_code == 200
        login(client, world.coordinator)
        page = audit_page(client)
        assert re.search(rf"<option value=\"{family.user_id}\"[^>]*>Ruth Parent \(Family member\)</option>", page)
        assert f'<option value="{external.user_id}"' in page and "(External viewer)" in page
        mine = audit_page(client, user=family.user_id)
        assert "looked at: family page" in mine and "Mina Test" in mine
        assert "Family member" in mine  # the role beside the name in the list
        assert "looked at: family page" not in audit_page(client, user=world.practitioner.user_id)

    def test_someone_who_has_left_can_still_be_picked_out(self, world, client):
        leaver = world.members[Role.THERAPIST]
        audit_record(actor=leaver, action="profile.changed", learner=world.mine)
        leaver.is_active = False
        leaver.save()
        login(client, world.coordinator)
        page = audit_page(client, user=leaver.user_id)
        assert "Therapist (left)" in page and "changed: communication profile" in page

    def test_another_organisations_people_are_not_offered(self, world, client):
        login(client, world.coordinator)
        assert f'<option value="{world.other_coordinator.user_id}"' not in audit_page(client)


@pytest.mark.django_db
class TestEntriesSayWhatWasRead:
    def test_a_person_report_read_names_the_report_and_that_it_was_on_screen(self, world, client):
        login(client, world.coordinator)
        url = reverse("learners:report", kwargs={"learner_id": world.mine.pk, "kind": "evidence"})
        assert client.get(url).status_code == 200
        entry = AuditEntry.objects.get(action="report.read", learner_id=world.mine.pk)
        assert entry.detail == {"report": "evidence", "title": "Plan review evidence", "format": "web"}
        assert "looked at: report<ul" in audit_page(client).replace("\n", "")
        assert "“Plan review evidence” on screen" in audit_page(client)

    def test_an_organisation_pack_read_as_pdf_says_pdf(self, world, client):
        login(client, world.coordinator)
        url = reverse("outcomes:organisation_report", kwargs={"audience": "commissioners"})
        response = client.get(url, {"format": "pdf"})
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        entry = AuditEntry.objects.get(action="commissioners_report.read")
        assert entry.detail["report"] == "commissioners" and entry.detail["format"] == "pdf"
        assert "looked at: report for commissioners" in audit_page(client)
        assert "as a PDF" in audit_page(client)

    def test_the_sessions_spreadsheet_says_which_format(self, world, client):
        login(client, world.coordinator)
        client.get(reverse("outcomes:sessions_csv"), {"format": "xlsx"})
        entry = AuditEntry.objects.get(action="sessions_export.created")
        assert entry.detail["format"] == "xlsx"
        assert "added: spreadsheet of every session" in audit_page(client)
        assert "as an Excel spreadsheet" in audit_page(client)

    def test_a_change_shows_before_and_after_and_the_reason_in_plain_words(self, world, client):
        audit_record(
            actor=world.practitioner,
            action="session.changed",
            learner=world.mine,
            detail={
                "before": {"minutes": 20, "place": "Hall"},
                "after": {"minutes": 15, "place": ""},
                "reason": "Typo",
            },
        )
        login(client, world.coordinator)
        page = audit_page(client)
        assert "changed: session" in page
        assert "minutes: 20 → 15" in page and "place: Hall → nothing" in page and "Reason given: Typo" in page
        assert "{" not in re.sub(r"<script.*?</script>|<style.*?</style>", "", page, flags=re.S).split("<tbody>")[1]


def action_codes_in_source() -> set[str]:
    """Every audit action the app can write, read from the source as the app spells it."""
    from attunement.codings.services import EXPORTS
    from attunement.outcomes import reports
    from attunement.outcomes.views import STAFF_REPORTS

    codes = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text()
        for call in re.finditer(r"audit_(?:record|read|reads)\((.{0,400}?)\)\n", text, flags=re.S):
            for kind, value in re.findall(r"\b(action|what)=f?\"([^\"]+)\"", call.group(1)):
                codes.add(value if kind == "action" else f"{value}.read")
        codes |= {f"{v}.read" for v in re.findall(r"reads=\"([a-z_]+)\"", text)}
        for actions in re.finditer(r"AuditActions\((.{0,400}?)\)", text, flags=re.S):
            codes |= set(re.findall(r"\b[a-z]+=\"([a-z_]+\.[a-z_]+)\"", actions.group(1)))
    expanded = set()
    for code in codes:
        if "{audience}" in code:
            expanded |= {code.replace("{audience}", a) for a in reports.AUDIENCES}
        elif "{format}" in code:
            expanded |= {code.replace("{format}", f) for f in EXPORTS}
        elif "{what}" not in code:
            expanded.add(code)
    return expanded | {f"{template}_report.read" for _, _, template in STAFF_REPORTS.values()}


def test_every_action_code_in_the_source_has_plain_words():
    codes = action_codes_in_source()
    assert {"session.created", "report.read", "inspectors_report.read", "coding_pass.exported_csv"} <= codes
    missing = sorted(
        code for code in codes if code.rpartition(".")[0] not in THINGS or code.rpartition(".")[2] not in VERBS
    )
    assert missing == []
    for code in codes:
        assert "_" not in audit_words(code).replace("_report", ""), code


def test_describe_puts_the_detail_in_one_line():
    line = describe("report.read", {"report": "family", "title": "For the family", "format": "pdf"})
    assert line == "looked at: report (“For the family” as a PDF)"


def read_csv(data: bytes):
    assert data.startswith(codecs.BOM_UTF8)
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.django_db
class TestDownload:
    def test_a_leader_downloads_the_filtered_trail_as_csv_and_xlsx(self, world, client):
        world.mine.first_name = "Siân"
        world.mine.save()
        audit_record(actor=world.practitioner, action="profile.changed", learner=world.mine)
        audit_record(actor=world.practitioner, action="profile.changed", learner=world.unassigned)
        audit_record(actor=world.members[Role.FAMILY], action="home_observation.created", learner=world.mine, detail={})
        login(client, world.coordinator)
        response = client.get(reverse("audit"), {"person": world.mine.pk, "format": "csv"})
        assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
        assert re.search(r'filename="audit-trail-\d{4}-\d{2}-\d{2}\.csv"', response["Content-Disposition"])
        assert response.streaming  # a large trail is sent row by row
        rows = read_csv(b"".join(response.streaming_content))
        assert {r["What"] for r in rows} == {"changed: communication profile", "added: note from home"}
        assert {r["About"] for r in rows} == {"Siân Test"}
        assert {r["Their role"] for r in rows} == {"Practitioner", "Family member"}
        sheet = openpyxl.load_workbook(
            io.BytesIO(client.get(reverse("audit"), {"person": world.mine.pk, "format": "xlsx"}).content)
        ).active
        values = [[c.value for c in row] for row in sheet.iter_rows()]
        assert values[0][:4] == ["When", "Who", "Their role", "What"]
        assert sorted(v[3] for v in values[1:]) == sorted(r["What"] for r in rows)
        exported = AuditEntry.objects.filter(action="audit_trail.exported").order_by("pk")
        assert [e.detail["format"] for e in exported] == ["csv", "xlsx"]
        assert exported[0].detail["entries"] == 2 and exported[0].detail["filters"] == {"person": "Siân Test"}
        assert "downloaded: audit trail" in audit_page(client)

    def test_a_filter_with_a_mistake_downloads_nothing_and_shows_the_mistake(self, world, client):
        login(client, world.coordinator)
        response = client.get(reverse("audit"), {"since": "2026-05-02", "until": "2026-05-01", "format": "csv"})
        assert response.status_code == 302 and "format" not in response["Location"]
        assert not AuditEntry.objects.filter(action="audit_trail.exported").exists()

    @pytest.mark.parametrize(
        ("role", "status"),
        [
            (Role.COORDINATOR, 200),
            (Role.ADMINISTRATOR, 200),
            (Role.MANAGER, 403),
            (Role.PRACTITIONER, 403),
            (Role.THERAPIST, 403),
            (Role.FAMILY, 403),
            (Role.EXTERNAL, 403),
        ],
    )
    @pytest.mark.parametrize("fmt", ["csv", "xlsx"])
    def test_only_leaders_may_download(self, world, client, role, status, fmt):
        login(client, world.members[role])
        response = client.get(reverse("audit"), {"format": fmt})
        assert response.status_code == status
        if status == 403:
            assert b"When,Who" not in response.content
        elif fmt == "csv":
            assert b"".join(response.streaming_content).startswith(b"\xef\xbb\xbfWhen,Who")

    def test_another_organisations_entries_are_never_in_the_file(self, world, client):
        audit_record(actor=world.other_coordinator, action="profile.changed", learner=world.foreign)
        login(client, world.coordinator)
        rows = read_csv(b"".join(client.get(reverse("audit"), {"format": "csv"}).streaming_content))
        assert "Faro Test" not in {r["About"] for r in rows}

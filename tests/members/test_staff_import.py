"""Importing staff from a spreadsheet: each new person is invited (the e-mails read back from a real SMTP
server), members found by e-mail are updated, bad rows are refused with the reason, and nothing is sent or saved
unless every row can be."""

import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from attunement.learners.importing import guess_columns
from attunement.learners.models import Assignment, Learner
from attunement.learners.sheet_reading import read_sheet
from attunement.members import importing
from attunement.members.importing import INVITE, REFUSE, SAME, UPDATE, plan_staff
from attunement.members.models import Invitation
from attunement.members.selectors import staff_import_holding
from attunement.members.services import staff_import
from attunement.organisations.models import AuditEntry, Membership, Role, Site
from tests.conftest import login
from tests.smtp import SmtpServer, body, free_port

HEADINGS = list(importing.TEMPLATE_HEADINGS)
MAPPING = guess_columns(HEADINGS, importing.COLUMNS)
LEADERS = {Role.COORDINATOR, Role.ADMINISTRATOR}


@pytest.fixture
def smtp(settings):
    with SmtpServer() as server:
        for name, value in server.django_settings.items():
            setattr(settings, name, value)
        yield server


def link_for(token):
    return f"http://testserver/invitation/{token}/"


def _rows(*cells_per_row):
    return [(line, list(cells)) for line, cells in enumerate(cells_per_row, start=2)]


def _plan(actor, rows):
    return plan_staff(rows, MAPPING, staff_import_holding(actor=actor))


def _import(actor, rows):
    return staff_import(
        actor=actor, rows=rows, mapping=MAPPING, expected=_plan(actor, rows).digest(), link_for=link_for
    )


def csv_file(rows, name="staff.csv"):
    text = "\r\n".join(",".join(f'"{cell}"' for cell in row) for row in [HEADINGS, *rows])
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def _upload_and_confirm(client, rows):
    """What a co-ordinator does on the pages: upload, look at the preview, press its button."""
    response = client.post(reverse("members:import"), {"file": csv_file(rows)})
    assert response.status_code == 302, response.content.decode()[:2000]
    preview = client.get(reverse("members:import_preview"))
    page = preview.content.decode()
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', page)
    if digest is None:
        return page, None
    return page, client.post(reverse("members:import_preview"), {"digest": digest.group(1)}, follow=True)


# --- Through the pages, with a real mail server -----------------------------------------------------------------


def test_a_confirmed_import_sends_one_email_per_new_person_and_importing_again_sends_none(world, client, smtp):
    world.unassigned.identifier = "K0001"
    world.unassigned.save()
    rows = [
        ["Noor", "Ahmed", "Noor.Ahmed@Example.org", "Teaching assistant", "", "K0001"],
        ["Ola", "Berg", "ola@example.org", "Teacher", "", "Mina Test; k0001"],
        ["Pat", "Cole", "pat@example.org", "Parent", "", "Mina Test"],
        # Already a member, nothing different: no e-mail, no change.
        [
            "Prac",
            "Titioner",
            world.practitioner.user.email,
            "Practitioner",
            "",
            "Mina Test",
        ],
    ]
    login(client, world.coordinator)
    page, done = _upload_and_confirm(client, rows)
    assert "3</strong> to invite" in page and "1</strong> already here or invited" in page
    assert done.status_code == 200
    assert "Imported: 3 invited, 0 updated, 1 already here or already invited." in done.content.decode()

    received = sorted(message["To"] for message in smtp.messages)
    assert received == ["noor.ahmed@example.org", "ola@example.org", "pat@example.org"]
    pat = next(message for message in smtp.messages if message["To"] == "pat@example.org")
    assert "as a family member" in body(pat) and "Hello Pat," in body(pat)
    assert "Mina" not in body(pat)  # the people stay behind the sign-in
    ola = Invitation.objects.get(email="ola@example.org")
    assert ola.role == Role.PRACTITIONER
    assert set(ola.learners.values_list("first_name", flat=True)) == {"Mina", "Una"}
    members_page = client.get(reverse("members:list")).content.decode()
    for address in received:
        assert address in members_page

    page, done = _upload_and_confirm(client, rows)
    assert done is None  # nothing to confirm
    assert "4</strong> already here or invited" in page
    assert "there is nothing to import" in page
    assert len(smtp.messages) == 3
    assert Invitation.objects.filter(organisation=world.school).count() == 3


def test_when_the_mail_server_refuses_nothing_is_saved_and_the_page_says_so(world, client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 5
    login(client, world.coordinator)
    rows = [
        ["Noor", "Ahmed", "noor@example.org", "Practitioner", "", ""],
        ["Ola", "Berg", "ola@example.org", "Practitioner", "", ""],
    ]
    page, done = _upload_and_confirm(client, rows)
    assert done.status_code == 400
    text = done.content.decode()
    assert "could not be sent" in text and "nothing was saved" in text
    assert not Invitation.objects.filter(organisation=world.school).exists()
    assert not AuditEntry.objects.filter(action__in=["member.invited", "staff_import.applied"]).exists()


def test_bad_files_get_the_people_import_s_messages(world, client, settings):
    settings.PEOPLE_IMPORT_MAX_ROWS = 3
    login(client, world.coordinator)
    cases = [
        (b"\xd0\xcf\x11\xe0" + b"\0" * 100, "old Excel format (.xls)"),
        (("First name,Last name,E-mail,Role\r\n" + "A,B,a@b.org,TA\r\n" * 5).encode(), "more than 3 rows"),
        (b"First name,Last name,E-mail,Role\r\n", "headings but no rows of staff"),
        (b"", "empty"),
    ]
    for data, words in cases:
        response = client.post(reverse("members:import"), {"file": SimpleUploadedFile("staff.csv", data)})
        assert response.status_code == 400
        assert words in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_windows_csv_reads_accented_names_and_the_preview_says_how_it_was_read(world, client):
    login(client, world.coordinator)
    text = "First name,Last name,E-mail,Role\r\nSiân,Zoë-Brontë,sian@example.org,Teacher\r\n"
    upload = SimpleUploadedFile("staff.csv", text.encode("cp1252"))
    assert client.post(reverse("members:import"), {"file": upload})["Location"] == reverse("members:import_preview")
    preview = client.get(reverse("members:import_preview")).content.decode()
    assert "Siân Zoë-Brontë" in preview
    assert "read as Windows text (Windows-1252)" in preview


def test_headings_that_differ_are_chosen_on_the_columns_page(world, client):
    login(client, world.coordinator)
    text = "Forename,Surname,Login,Job title,Key pupils\r\nNoor,Ahmed,noor@example.org,TA,Una Test\r\n"
    response = client.post(reverse("members:import"), {"file": SimpleUploadedFile("s.csv", text.encode())})
    assert response["Location"] == reverse("members:import_columns")
    page = client.get(response["Location"]).content.decode()
    assert "Not used yet: “Login”" in page
    chosen = {"first_name": "0", "last_name": "1", "email": "2", "role": "3", "site": "", "people": "4"}
    assert client.post(reverse("members:import_columns"), chosen)["Location"] == reverse("members:import_preview")
    preview = client.get(reverse("members:import_preview")).content.decode()
    assert "Will be invited" in preview and "working with Una Test" in preview


def test_the_template_downloads_with_the_headings_the_import_reads(world, client):
    login(client, world.coordinator)
    response = client.get(reverse("members:import_template") + "?format=xlsx")
    sheet = read_sheet(response.content, max_rows=10)
    assert sheet.headings == HEADINGS
    assert None not in guess_columns(sheet.headings, importing.COLUMNS).values()


# --- The rows' rules ---------------------------------------------------------------------------------------------


def test_roles_in_plain_words_and_refused_ones_with_the_reason(world):
    words = [
        "Teaching Assistant",
        "HLTA",
        "class teacher",
        "Co-ordinator",
        "Head teacher",
        "Guardian",
        "SALT",
        "Chef",
        "",
    ]
    rows = _rows(*[[f"N{i}", "Lee", f"n{i}@example.org", word, "", "Una Test"] for i, word in enumerate(words)])
    plan = _plan(world.coordinator, rows)
    assert [row.role for row in plan.rows[:7]] == [
        Role.PRACTITIONER,
        Role.PRACTITIONER,
        Role.PRACTITIONER,
        Role.COORDINATOR,
        Role.MANAGER,
        Role.FAMILY,
        Role.THERAPIST,
    ]
    assert plan.rows[7].action == REFUSE and "“Chef” is not a role" in plan.rows[7].reasons[0]
    assert "Teaching assistant" in plan.rows[7].reasons[0]  # the words it does know
    assert plan.rows[8].reasons == ["The role is missing."]


def test_bad_rows_are_refused_with_the_reason_and_nothing_is_sent(world):
    Site.objects.create(organisation=world.school, name="North")
    world.learner(world.school, "Mina")  # a second Mina Test
    rows = _rows(
        ["Ann", "Lee", "ann@example", "TA", "", ""],
        ["Bo", "Khan", "bo@example.org", "TA", "", ""],
        ["Bob", "Khan", "BO@example.org", "TA", "", ""],
        ["Cai", "Ng", "cai@example.org", "TA", "South", ""],
        ["Dee", "Ng", "dee@example.org", "TA", "north", "Nobody Here"],
        ["Eve", "Ng", "eve@example.org", "TA", "", "Mina Test"],
        ["Fay", "Ng", "fay@example.org", "Parent", "", ""],
        ["=1+1", "Ng", "gus@example.org", "TA", "", ""],
        ["", "Ng", "hal@example.org", "TA", "", ""],
        ["Ida", "Ng", "ida@example.org", "TA", "North", "Una Test"],
    )
    plan = _plan(world.coordinator, rows)
    reasons = [" ".join(row.reasons) for row in plan.rows]
    assert "“ann@example” is not an e-mail address." in reasons[0]
    assert "also in row 4" in reasons[1] and "also in row 3" in reasons[2]
    assert "no site called “South” (the sites are: North)" in reasons[3]
    assert "Nobody here has the identifier or name “Nobody Here”" in reasons[4]
    assert "2 people are called “Mina Test”" in reasons[5]
    assert "family member sees only the people they are linked to" in reasons[6]
    assert "formula" in reasons[7] and "not run" in reasons[7]
    assert reasons[8] == "The first name is missing."
    assert plan.rows[9].action == INVITE and "at North, working with Una Test" in plan.rows[9].details
    with pytest.raises(ValidationError, match="9 rows are refused, so nothing was sent or saved"):
        staff_import(actor=world.coordinator, rows=rows, mapping=MAPPING, expected=plan.digest(), link_for=link_for)
    assert not Invitation.objects.exists() and not mail.outbox


def test_only_administrators_may_import_administrators(world):
    rows = _rows(["Ann", "Lee", "ann@example.org", "Administrator", "", ""])
    plan = _plan(world.coordinator, rows)
    assert plan.rows[0].action == REFUSE
    assert "Only administrators can make someone an administrator" in plan.rows[0].reasons[0]
    _import(world.members[Role.ADMINISTRATOR], rows)
    assert Invitation.objects.get(email="ann@example.org").role == Role.ADMINISTRATOR
    assert len(mail.outbox) == 1


def test_a_member_found_by_email_is_updated_and_keeps_the_people_they_had(world):
    north = Site.objects.create(organisation=world.school, name="North")
    therapist = world.members[Role.THERAPIST]
    rows = _rows(
        [
            "Any",
            "Name",
            therapist.user.email.upper(),
            "Teaching assistant",
            "North",
            "Una Test",
        ],
        ["Me", "Myself", world.coordinator.user.email, "Practitioner", "", ""],
        ["Adm", "In", world.members[Role.ADMINISTRATOR].user.email, "Practitioner", "", ""],
    )
    plan = _plan(world.coordinator, rows)
    assert [row.action for row in plan.rows] == [UPDATE, REFUSE, REFUSE]
    assert plan.rows[0].changes == [
        "role from therapist to practitioner",
        "site to North",
        "works with Una Test as well",
    ]
    assert "This is you" in plan.rows[1].reasons[0]
    assert "Only administrators can make someone an administrator" in plan.rows[2].reasons[0]

    _import(world.coordinator, rows[:1])
    therapist.refresh_from_db()
    assert (therapist.role, therapist.site) == (Role.PRACTITIONER, north)
    linked = set(Assignment.objects.filter(user=therapist.user).values_list("learner__first_name", flat=True))
    assert linked == {"Mina", "Una"}  # Mina kept, Una added
    assert not mail.outbox  # a member is never invited
    assert AuditEntry.objects.filter(action="member.changed", target_id=therapist.pk).exists()
    assert [row.action for row in _plan(world.coordinator, rows[:1]).rows] == [SAME]


def test_a_member_made_a_family_member_must_work_with_someone(world):
    manager = world.members[Role.MANAGER]
    rows = _rows(["M", "Anager", manager.user.email, "Parent", "", ""])
    plan = _plan(world.coordinator, rows)
    assert plan.rows[0].action == REFUSE and "family member sees only the people" in plan.rows[0].reasons[0]
    rows = _rows(["M", "Anager", manager.user.email, "Parent", "", "Una Test"])
    _import(world.coordinator, rows)
    manager.refresh_from_db()
    assert manager.role == Role.FAMILY
    assert list(Assignment.objects.filter(user=manager.user).values_list("learner__first_name", flat=True)) == ["Una"]


def test_a_change_made_after_the_preview_sends_and_saves_nothing(world):
    rows = _rows(["Ann", "Lee", "ann@example.org", "TA", "", ""])
    shown = _plan(world.coordinator, rows).digest()
    _import(world.members[Role.ADMINISTRATOR], rows)  # someone else imported the same file meanwhile
    mail.outbox.clear()
    with pytest.raises(ValidationError, match="changed the members or invitations"):
        staff_import(actor=world.coordinator, rows=rows, mapping=MAPPING, expected=shown, link_for=link_for)
    assert Invitation.objects.filter(email="ann@example.org").count() == 1 and not mail.outbox


# --- Who may -----------------------------------------------------------------------------------------------------


def staff_import_urls():
    return [
        reverse("members:import"),
        reverse("members:import_template"),
        reverse("members:import_columns"),
        reverse("members:import_preview"),
    ]


@pytest.mark.parametrize("role", list(Role))
def test_only_co_ordinators_and_administrators_open_the_staff_import_pages(world, client, role):
    login(client, world.members[role])
    for url in staff_import_urls():
        response = client.get(url)
        if role in LEADERS:
            assert response.status_code in (200, 302), url  # columns and preview send you to upload first
        else:
            assert response.status_code == 403, url
            assert "Only co-ordinators and administrators can invite people" in response.content.decode()
    response = client.post(reverse("members:import"), {"file": csv_file([["A", "B", "a@example.org", "TA", "", ""]])})
    assert response.status_code == (302 if role in LEADERS else 403)


@pytest.mark.parametrize("role", sorted(set(Role) - LEADERS))
def test_nobody_else_can_confirm_an_import(world, client, role):
    rows = _rows(["Ann", "Lee", "ann@example.org", "TA", "", ""])
    digest = _plan(world.coordinator, rows).digest()
    with pytest.raises(PermissionDenied):
        staff_import(actor=world.members[role], rows=rows, mapping=MAPPING, expected=digest, link_for=link_for)
    login(client, world.members[role])
    assert client.post(reverse("members:import_preview"), {"digest": digest}).status_code == 403
    assert not Invitation.objects.exists()


def test_an_upload_is_not_shared_with_another_member(world, client):
    login(client, world.coordinator)
    client.post(reverse("members:import"), {"file": csv_file([["A", "B", "a@example.org", "TA", "", ""]])})
    session = client.session
    state = session["staff_import"]
    state["membership"] = world.members[Role.ADMINISTRATOR].pk
    session["staff_import"] = state
    session.save()
    assert client.get(reverse("members:import_preview"))["Location"] == reverse("members:import")


# --- Property: any rows ------------------------------------------------------------------------------------------

FIRSTS = st.sampled_from(["Ann", "Bo", "", "=1+1", "Zoë"])
EMAILS = st.sampled_from(["a@example.org", "A@Example.org", "b@example.org", "c@example.org", "bad", "", "member"])
ROLES = st.sampled_from(["TA", "Teacher", "Parent", "Co-ordinator", "Chef", "", "Administrator", "therapist"])
SITES = st.sampled_from(["", "", "North", "nowhere"])
PEOPLE = st.sampled_from(["", "Una Test", "Mina Test; Una Test", "U1", "Nobody"])
ANY_ROW = st.tuples(FIRSTS, st.just("Lee"), EMAILS, ROLES, SITES, PEOPLE)
# Rows that can be imported, so that most batches get as far as sending and saving.
GOOD_ROW = st.tuples(
    st.sampled_from(["Ann", "Bo", "Zoë"]),
    st.just("Lee"),
    st.sampled_from([f"{letter}@example.org" for letter in "abcdefghijkl"] + ["member"]),
    st.sampled_from(["TA", "Teacher", "Parent", "Co-ordinator", "therapist", "Practitioner"]),
    st.sampled_from(["", "North"]),
    st.sampled_from(["Una Test", "Mina Test; Una Test", "U1", "u1; Mina Test"]),
)
ROW = st.one_of(GOOD_ROW, GOOD_ROW, GOOD_ROW, GOOD_ROW, ANY_ROW)


def _state(organisation):
    invitations = sorted(
        Invitation.objects.filter(organisation=organisation).values_list("email", "role", "site_id", "first_name")
    )
    members = sorted(Membership.objects.filter(organisation=organisation).values_list("pk", "role", "site_id"))
    links = sorted(Assignment.objects.filter(learner__organisation=organisation).values_list("learner_id", "user_id"))
    return invitations, members, links


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=st.lists(ROW, max_size=6), second=st.lists(ROW, max_size=6))
def test_any_rows_send_and_save_exactly_the_preview_and_importing_again_invites_nobody(world, first, second):
    Invitation.objects.filter(organisation=world.school).delete()
    Site.objects.get_or_create(organisation=world.school, name="North")
    Learner.objects.filter(pk=world.unassigned.pk).update(identifier="U1")
    actor = world.coordinator
    for batch in (first, second):
        mail.outbox.clear()
        rows = _rows(*[[c if c != "member" else world.practitioner.user.email for c in row] for row in batch])
        plan = _plan(actor, rows)
        before = _state(world.school)
        event("refused" if plan.refused else f"{plan.count(INVITE)} invited, {plan.count(UPDATE)} updated")
        if plan.refused:
            with pytest.raises(ValidationError):
                staff_import(actor=actor, rows=rows, mapping=MAPPING, expected=plan.digest(), link_for=link_for)
            assert _state(world.school) == before and not mail.outbox
            assert all(row.reasons for row in plan.rows if row.action == REFUSE)
            continue
        staff_import(actor=actor, rows=rows, mapping=MAPPING, expected=plan.digest(), link_for=link_for)
        invited = [row.email for row in plan.rows if row.action == INVITE]
        assert sorted(message.to[0] for message in mail.outbox) == sorted(invited)
        for row in plan.rows:
            if row.action == INVITE:
                invitation = Invitation.objects.get(organisation=world.school, email=row.email)
                assert (invitation.role, invitation.site_id) == (row.role, row.site_id)
                assert sorted(invitation.learners.values_list("pk", flat=True)) == row.people
        mail.outbox.clear()
        again = _plan(actor, rows)
        assert [row.action for row in again.rows] == [SAME] * len(rows)
        unchanged = _state(world.school)
        if rows:
            staff_import(actor=actor, rows=rows, mapping=MAPPING, expected=again.digest(), link_for=link_for)
        assert _state(world.school) == unchanged and not mail.outbox

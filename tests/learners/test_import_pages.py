"""The pages for classes and groups, term dates and importing people: who may use them, and what they do."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from attunement.learners.models import Group, Learner
from attunement.organisations.models import Role
from attunement.outcomes.dashboard import organisation_term_start, term_start
from attunement.outcomes.models import TermStart

from ..conftest import login

LEADERS = {Role.COORDINATOR, Role.ADMINISTRATOR}
WHOLE_ORGANISATION = {Role.COORDINATOR, Role.MANAGER, Role.ADMINISTRATOR}


def _csv(rows) -> io.BytesIO:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    upload = io.BytesIO(text.getvalue().encode("utf-8"))
    upload.name = "pupils.csv"
    return upload


def _pages(world, number=0):
    group = Group.objects.create(organisation=world.school, name=f"Class {number}")
    term = TermStart.objects.create(organisation=world.school, starts_on=date(2026, 9, 3 + number))
    return [
        ("get", reverse("learners:groups"), LEADERS),
        ("post", reverse("learners:group_change", kwargs={"group_id": group.pk}), LEADERS),
        ("get", reverse("learners:import"), WHOLE_ORGANISATION),
        ("get", reverse("learners:import_template"), WHOLE_ORGANISATION),
        ("get", reverse("learners:import_template") + "?format=xlsx", WHOLE_ORGANISATION),
        ("get", reverse("learners:import_columns"), WHOLE_ORGANISATION),
        ("get", reverse("learners:import_preview"), WHOLE_ORGANISATION),
        ("get", reverse("outcomes:terms"), LEADERS),
        ("post", reverse("outcomes:term_remove", kwargs={"term_id": term.pk}), LEADERS),
    ]


@pytest.mark.django_db
def test_every_new_page_answers_each_role_as_its_policy_says(world, client):
    for number, (role, member) in enumerate(world.members.items()):
        login(client, member)
        for method, url, allowed in _pages(world, number):
            response = getattr(client, method)(url)
            if role in allowed:
                assert response.status_code in (200, 302), f"{role} {method} {url}: {response.status_code}"
            else:
                assert response.status_code == 403, f"{role} {method} {url}: {response.status_code}"
                assert "Only " in response.content.decode()


@pytest.mark.django_db
def test_another_organisation_s_class_and_term_are_not_found(world, client):
    group = Group.objects.create(organisation=world.other, name="Their class")
    term = TermStart.objects.create(organisation=world.other, starts_on=date(2026, 9, 3))
    login(client, world.coordinator)
    assert (
        client.post(reverse("learners:group_change", kwargs={"group_id": group.pk}), {"action": "retire"}).status_code
        == 404
    )
    assert client.post(reverse("outcomes:term_remove", kwargs={"term_id": term.pk})).status_code == 404
    assert Group.objects.get(pk=group.pk).retired_at is None and TermStart.objects.filter(pk=term.pk).exists()


@pytest.mark.django_db
def test_the_template_downloads_open_with_the_headings_the_importer_recognises(world, client):
    login(client, world.coordinator)
    response = client.get(reverse("learners:import_template"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    headings = [cell.value for cell in sheet[1]]
    assert headings[:2] == ["First name", "Last name"] and "UPN" in headings and "Key staff e-mail" in headings
    text = client.get(reverse("learners:import_template")).content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("First name,Last name")


@pytest.mark.django_db
def test_upload_choose_columns_preview_and_confirm(world, client):
    login(client, world.coordinator)
    rows = [
        ["Forename", "Family", "Birthday", "Tutor group", "Pupil ref"],  # "Family" and "Pupil ref" are not known
        ["Ann", "Lee", "03/04/2015", "Class 3B", "A1"],
        ["Bo", "Khan", "30/09/2014", "Class 3B", "B2"],
    ]
    response = client.post(reverse("learners:import"), {"file": _csv(rows)})
    assert response.url == reverse("learners:import_columns")
    page = client.get(response.url).content.decode()
    assert "Which column is which?" in page and "Column 2: Family" in page
    assert not Learner.objects.filter(first_name="Ann").exists()  # nothing saved yet

    response = client.post(
        reverse("learners:import_columns"),
        {"first_name": "0", "last_name": "0", "date_of_birth": "2", "group": "3", "identifier": "4"},
    )
    assert (
        response.status_code == 400
        and "Each column of the file can be used for one thing only" in response.content.decode()
    )
    response = client.post(
        reverse("learners:import_columns"),
        {"first_name": "0", "last_name": "1", "date_of_birth": "2", "group": "3", "identifier": "4"},
    )
    assert response.url == reverse("learners:import_preview")
    preview = client.get(response.url)
    text = preview.content.decode()
    assert "2</strong> to add" in text and "New classes or groups to add: Class 3B" in text
    digest = preview.context["plan"].digest()

    response = client.post(reverse("learners:import_preview"), {"digest": digest})
    assert response.url == reverse("learners:list")
    assert set(Learner.objects.filter(group__name="Class 3B").values_list("first_name", flat=True)) == {"Ann", "Bo"}
    # The upload is gone from the session: confirming twice does nothing more.
    assert client.post(reverse("learners:import_preview"), {"digest": digest}).url == reverse("learners:import")


@pytest.mark.django_db
def test_a_refused_row_offers_no_import_and_a_confirm_anyway_saves_nothing(world, client):
    login(client, world.coordinator)
    rows = [["First name", "Last name", "DOB"], ["Ann", "Lee", "04/23/2015"], ["Bo", "Khan", ""]]
    response = client.post(reverse("learners:import"), {"file": _csv(rows)})
    preview = client.get(response.url)
    text = preview.content.decode()
    assert "1 row refused" in text and "Row 2 (Ann Lee): Date of birth:" in text and "month first" in text
    assert 'name="digest"' not in text
    response = client.post(reverse("learners:import_preview"), {"digest": preview.context["plan"].digest()})
    assert response.status_code == 400 and "refused, so nothing was saved" in response.content.decode()
    assert not Learner.objects.filter(first_name__in=["Ann", "Bo"]).exists()


@pytest.mark.django_db
def test_a_bad_file_is_refused_on_the_upload_page(world, client):
    login(client, world.coordinator)
    upload = io.BytesIO(b"\xd0\xcf\x11\xe0" + b"\x00" * 64)
    upload.name = "pupils.xls"
    response = client.post(reverse("learners:import"), {"file": upload})
    assert response.status_code == 400 and "old Excel format" in response.content.decode()


@pytest.mark.django_db
def test_an_upload_is_only_previewed_for_the_member_who_made_it(world, client):
    login(client, world.coordinator)
    client.post(reverse("learners:import"), {"file": _csv([["First name", "Last name"], ["Ann", "Lee"]])})
    session = client.session
    session["people_import"]["membership"] = world.members[Role.ADMINISTRATOR].pk
    session.save()
    assert client.get(reverse("learners:import_preview")).url == reverse("learners:import")


@pytest.mark.django_db
def test_classes_are_added_renamed_retired_and_filter_the_people_list(world, client):
    login(client, world.coordinator)
    client.post(reverse("learners:groups"), {"name": "Class 1"})
    response = client.post(reverse("learners:groups"), {"name": " class  1 "})
    assert (
        response.status_code == 400
        and "There is already a class or group called “Class 1”" in response.content.decode()
    )
    group = Group.objects.get(organisation=world.school)
    Learner.objects.filter(pk=world.mine.pk).update(group=group)
    listed = client.get(reverse("learners:list"), {"group": group.pk}).content.decode()
    assert "Mina" in listed and "Una" not in listed
    response = client.post(reverse("learners:group_change", kwargs={"group_id": group.pk}), {"action": "retire"})
    assert "“Class 1” is retired" in client.get(response.url).content.decode()
    assert Group.objects.get(pk=group.pk).is_retired
    edit = client.get(reverse("learners:edit", kwargs={"learner_id": world.unassigned.pk})).content.decode()
    assert "Class 1" not in edit  # a retired class is not offered to someone not in it


@pytest.mark.django_db
def test_the_dashboard_counts_only_the_chosen_class(world, client):
    group = Group.objects.create(organisation=world.school, name="Class 1")
    Learner.objects.filter(pk=world.mine.pk).update(group=group)
    login(client, world.coordinator)
    response = client.get(reverse("outcomes:dashboard"), {"group": group.pk})
    assert response.context["scope"].group_id == group.pk
    assert response.context["ends"]["people"] == 1
    assert client.get(reverse("outcomes:dashboard")).context["ends"]["people"] == 2


@pytest.mark.django_db
def test_an_organisation_s_own_terms_are_this_term_everywhere(world, client):
    day = date(2026, 10, 20)
    assert organisation_term_start(world.school.pk, day) == date(2026, 9, 1)  # none set: the usual three
    login(client, world.coordinator)
    client.post(reverse("outcomes:terms"), {"starts_on": "2026-09-03", "name": "Autumn 2026"})
    client.post(reverse("outcomes:terms"), {"starts_on": "2026-10-27"})
    response = client.post(reverse("outcomes:terms"), {"starts_on": "2026-10-27"})
    assert response.status_code == 400 and "A term already starts on 27 October 2026" in response.content.decode()
    assert organisation_term_start(world.school.pk, day) == date(2026, 9, 3)
    assert organisation_term_start(world.school.pk, date(2026, 11, 1)) == date(2026, 10, 27)
    assert organisation_term_start(world.other.pk, day) == date(2026, 9, 1)  # another organisation's own
    # Once the dates set run out, the usual terms come back.
    assert organisation_term_start(world.school.pk, date(2027, 9, 10)) == date(2027, 9, 1)
    assert term_start(date(2026, 8, 31), [date(2026, 9, 3)]) == date(2026, 4, 1)


@pytest.mark.django_db
def test_the_no_review_alert_counts_from_the_organisation_s_own_term(world):
    from attunement.outcomes import dashboard as board
    from attunement.practice.services import RatingInput, review_record

    scale, fundamental = world.school.progress_scale, world.school.fundamentals.first()
    review_record(
        actor=world.coordinator,
        learner=world.mine,
        scale=scale,
        reviewed_on=date(2026, 9, 2),  # after the usual 1 September, before this school's 7 September
        ratings=[RatingInput(level_id=scale.levels.first().pk, fundamental_id=fundamental.pk)],
    )
    today = date(2026, 10, 1)
    assert world.mine not in board.without_review_this_term(actor=world.coordinator, scope=board.Scope(), today=today)
    TermStart.objects.create(organisation=world.school, starts_on=date(2026, 9, 7))
    assert world.mine in board.without_review_this_term(actor=world.coordinator, scope=board.Scope(), today=today)


@pytest.mark.django_db
def test_a_person_s_class_and_identifier_are_set_on_their_details_and_an_identifier_is_never_shared(world, client):
    group = Group.objects.create(organisation=world.school, name="Class 2")
    Learner.objects.filter(pk=world.mine.pk).update(identifier="A100")
    login(client, world.coordinator)
    url = reverse("learners:edit", kwargs={"learner_id": world.unassigned.pk})
    form = {
        "first_name": "Una",
        "last_name": "Test",
        "group": group.pk,
        "identifier": "a100",
        "still_supported": "on",
        "version": "1",
        "people-TOTAL_FORMS": "0",
        "people-INITIAL_FORMS": "0",
    }
    response = client.post(url, form)
    assert "Mina Test already has the identifier “A100”" in response.content.decode()
    assert Learner.objects.get(pk=world.unassigned.pk).group is None  # nothing saved
    client.post(url, {**form, "identifier": "U200"})
    una = Learner.objects.get(pk=world.unassigned.pk)
    assert (una.group, una.identifier) == (group, "U200")

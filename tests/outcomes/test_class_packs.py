"""A pack narrowed to one class or group says only what is true of that class, and no class's figures can be
worked out by taking the others' from the whole organisation's."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attunement.learners.models import Group, Learner
from attunement.organisations.models import AuditEntry, Role
from attunement.outcomes.periods import Period
from attunement.outcomes.reports import organisation_pack
from attunement.practice.models import Session

from ..conftest import login
from .test_packs import THRESHOLD, words_are_true
from .test_summary import agree_to_reports

CLASSES = ("Otters", "Kestrels", "Willows")


def figures(pack) -> dict:
    return {line["key"]: line for section in pack["sections"] for line in section["figures"]}


def add_person(organisation, group, sessions: int, name: str) -> Learner:
    learner = Learner.objects.create(organisation=organisation, first_name=name, last_name="Q", group=group)
    agree_to_reports(learner)
    Session.objects.bulk_create(
        Session(learner=learner, started_at=timezone.now() - timedelta(days=2 + k, hours=1), minutes=10)
        for k in range(sessions)
    )
    return learner


# For each class, and for the people in none (None), each person's sessions in the last four weeks.
class_lists = st.fixed_dictionaries(
    {name: st.lists(st.integers(min_value=0, max_value=6), max_size=8) for name in (None, *CLASSES)}
).map(lambda parts: [(name, sessions) for name, people in parts.items() for sessions in people])


@pytest.mark.django_db(transaction=False)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=class_lists)
def test_class_figures_are_true_and_no_small_class_can_be_worked_out_from_the_others(world, people):
    today = timezone.localdate()
    period = Period(since=today - timedelta(days=27), until=today)
    with transaction.atomic():
        groups = {name: Group.objects.create(organisation=world.school, name=name) for name in CLASSES}
        for i, (name, sessions) in enumerate(people):
            add_person(world.school, groups.get(name), sessions, f"P{i}")
        sizes = {name: sum(1 for g, _ in people if g == name) for name in (None, *CLASSES)}
        sessions_of = {name: sum(s for g, s in people if g == name) for name in (None, *CLASSES)}
        whole = figures(organisation_pack(organisation=world.school, period=period, audience="commissioners"))
        shown_sessions = {}
        for name, group in groups.items():
            pack = organisation_pack(organisation=world.school, period=period, audience="commissioners", group=group)
            lines = figures(pack)
            assert pack["group"] == group
            # What it says of the class's people and sessions is true of that class.
            assert words_are_true(lines["people"]["figure"], sizes[name]), (name, sizes, lines["people"]["figure"])
            assert words_are_true(lines["sessions"]["figure"], sessions_of[name])
            if lines["sessions"]["figure"].is_shown:
                shown_sessions[name] = lines["sessions"]["figure"].value
            # Staff are counted for the whole organisation, and say so.
            assert str(lines["staff"]["figure"]) == str(whole["staff"]["figure"])
            assert "whole organisation" in lines["staff"]["means"]
        # Taking every class shown from the whole leaves a set of people large enough, or nobody.
        if shown_sessions and whole["sessions"]["figure"].is_shown:
            left = sum(sizes.values()) - sum(sizes[name] for name in shown_sessions)
            assert left == 0 or left >= THRESHOLD, (sizes, shown_sessions)
            for name in shown_sessions:
                rest = sum(sizes.values()) - sizes[name]
                assert rest == 0 or rest >= THRESHOLD, (name, sizes)
        # And when every part is large enough (or empty), nothing is withheld for that reason.
        if all(n == 0 or n >= THRESHOLD for n in sizes.values()):
            assert set(shown_sessions) == {name for name in CLASSES if sizes[name] >= THRESHOLD}
        transaction.set_rollback(True)


@pytest.fixture
def classes(world):
    """A school of 12 counted pupils: 7 in Otters, 5 in Kestrels, with sessions this month."""
    otters = Group.objects.create(organisation=world.school, name="Otters")
    kestrels = Group.objects.create(organisation=world.school, name="Kestrels")
    for i in range(7):
        add_person(world.school, otters, 3, f"Otter{i}")
    for i in range(5):
        add_person(world.school, kestrels, 1, f"Kestrel{i}")
    return otters, kestrels


@pytest.mark.django_db
def test_a_leader_narrows_a_pack_to_one_class_on_the_page_and_in_the_pdf_link(world, client, classes):
    otters, kestrels = classes
    login(client, world.coordinator)
    page = client.get(reverse("outcomes:organisation_report", args=["commissioners"]), {"group": otters.pk})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Otters only" in html and f'<option value="{otters.pk}" selected>Otters</option>' in html
    assert "About the pupils in Otters now, not the whole organisation" in html
    assert '<strong class="pack-value">21</strong>' in html  # 7 pupils, 3 sessions each
    assert f"group={otters.pk}&amp;format=pdf" in html
    entry = AuditEntry.objects.filter(action="commissioners_report.read").latest("pk")
    assert entry.detail["group"] == "Otters"

    # Someone else's class, or nonsense, shows everyone and says why.
    foreign = Group.objects.create(organisation=world.other, name="Theirs")
    for chosen in (foreign.pk, "x"):
        html = client.get(reverse("outcomes:organisation_report", args=["commissioners"]), {"group": chosen})
        html = html.content.decode()
        assert "That class or group is not one of yours, so everyone is shown." in html
        assert "Theirs" not in html and "Otters only" not in html


@pytest.mark.django_db
def test_a_class_is_withheld_while_another_class_is_small(world, client, classes):
    otters, _ = classes
    add_person(world.school, None, 4, "Loner")  # one counted pupil in no class
    login(client, world.coordinator)
    html = client.get(reverse("outcomes:organisation_report", args=["commissioners"]), {"group": otters.pk})
    html = html.content.decode()
    assert "Every figure about pupils in Otters is hidden" in html
    assert '<strong class="pack-value">21</strong>' not in html
    everyone = client.get(reverse("outcomes:organisation_report", args=["commissioners"])).content.decode()
    assert '<strong class="pack-value">30</strong>' in everyone  # 21 + 5 + 4 sessions


@pytest.mark.django_db
def test_outside_viewers_are_not_offered_classes(world, client, classes):
    login(client, world.members[Role.EXTERNAL])
    html = client.get(reverse("outcomes:organisation_report", args=["inspectors"])).content.decode()
    assert 'name="group"' not in html


@pytest.mark.django_db
def test_the_sessions_spreadsheet_for_one_class_holds_only_that_class(world, client, classes):
    otters, kestrels = classes
    login(client, world.coordinator)
    reports = client.get(reverse("outcomes:reports")).content.decode()
    assert 'id="export-group"' in reports and "Kestrels" in reports
    response = client.get(reverse("outcomes:sessions_csv"), {"group": kestrels.pk})
    assert "sessions-kestrels-" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 5 and {row["person"].split()[0][:7] for row in rows} == {"Kestrel"}
    entry = AuditEntry.objects.filter(action="sessions_export.created").latest("pk")
    assert entry.detail["group"] == "Kestrels"
    read_ids = AuditEntry.objects.filter(action="sessions_export.read").values_list("learner_id", flat=True)
    read = set(Learner.objects.filter(pk__in=read_ids).values_list("group__name", flat=True))
    assert read == {"Kestrels"}, "only the people in the file are recorded as read"
    everyone = client.get(reverse("outcomes:sessions_csv"))
    assert len(list(csv.DictReader(io.StringIO(everyone.content.decode())))) == 26


@pytest.mark.django_db
def test_the_api_narrows_packs_and_the_dashboard_to_a_class_and_refuses_anothers(world, client, classes):
    from ..api.conftest import make_key
    from ..api.test_endpoints import _as_documented, _send

    otters, kestrels = classes
    _, secret = make_key(world, Role.COORDINATOR)
    path = "organisation/packs/{audience}"
    pack = _as_documented(
        client, _send(client, "GET", f"organisation/packs/funders?group={otters.pk}", secret), path, "GET"
    )
    assert pack["group"] == {"id": otters.pk, "name": "Otters"} and pack["withheld"] is False
    said = {f["key"]: f["figure"] for section in pack["sections"] for f in section["figures"]}
    assert said["people"]["value"] == 7 and said["sessions"]["value"] == 21
    entry = AuditEntry.objects.filter(action="funders_report.read").latest("pk")
    assert entry.detail["group_id"] == otters.pk and entry.detail["format"] == "api"

    board = _send(client, "GET", f"organisation/dashboard?group={kestrels.pk}", secret).json()
    assert board["group_id"] == kestrels.pk and board["people"] == 5

    foreign = Group.objects.create(organisation=world.other, name="Theirs")
    for route in (f"organisation/packs/funders?group={foreign.pk}", f"organisation/dashboard?group={foreign.pk}"):
        refused = _send(client, "GET", route, secret)
        assert refused.status_code == 404, route
    # Outside viewers read the whole organisation's packs, never a class's.
    _, outside = make_key(world, Role.EXTERNAL)
    assert _send(client, "GET", f"organisation/packs/funders?group={otters.pk}", outside).status_code == 404
    assert _send(client, "GET", "organisation/packs/funders", outside).status_code == 200

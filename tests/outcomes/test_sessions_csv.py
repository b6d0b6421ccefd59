"""The sessions CSV never holds a text cell a spreadsheet would run as a formula, and numbers stay numbers."""

import csv
import io

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attunement.organisations.models import AuditEntry
from attunement.practice.models import Session
from attunement.practice.services import session_record

from ..conftest import details, login

FORMULA = ("=", "+", "-", "@", "\t", "\r")
NUMBER_COLUMNS = ("session", "person_number", "minutes", "enjoyment")
risky = st.text(
    alphabet=st.sampled_from(["=", "+", "-", "@", "'", "a", "1", " ", "(", ",", '"', "!"]),
    min_size=1,
    max_size=10,
).filter(lambda t: t.strip())


def rows(client):
    return list(csv.DictReader(io.StringIO(client.get(reverse("outcomes:sessions_csv")).content.decode())))


@pytest.mark.django_db
def test_no_text_cell_starts_a_formula_and_numbers_survive(world, client):
    login(client, world.coordinator)

    @given(name=risky, place=risky, behaviour=risky, minutes=st.integers(1, 120))
    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    def check(name, place, behaviour, minutes):
        Session.objects.all().delete()
        world.mine.last_name = name
        world.mine.save()
        session_record(
            actor=world.practitioner,
            learner=world.mine,
            details=details(
                place=place, minutes=minutes, behaviours=[(behaviour, "new")], enjoyment=3, long_session_confirmed=True
            ),
        )
        (row,) = rows(client)
        for column, cell in row.items():
            if column not in NUMBER_COLUMNS:
                assert not cell.startswith(FORMULA), (column, cell)
        assert int(row["minutes"]) == minutes and int(row["person_number"]) == world.mine.pk
        assert row["enjoyment"] == "3"
        stored = Session.objects.get()
        for column, saved in (("place", stored.place), ("never_seen_before", stored.behaviours.get().description)):
            assert row[column] in (saved, "'" + saved)

    check()


@pytest.mark.django_db
def test_a_formula_typed_as_a_place_is_written_as_text(world, client):
    session_record(actor=world.practitioner, learner=world.mine, details=details(place='=HYPERLINK("http://x","y")'))
    login(client, world.coordinator)
    (row,) = rows(client)
    assert row["place"] == '\'=HYPERLINK("http://x","y")'


@pytest.mark.django_db
def test_the_file_is_recorded_as_a_read_of_each_person_it_holds(world, client):
    for learner in (world.mine, world.unassigned):
        session_record(actor=world.coordinator, learner=learner, details=details())
    login(client, world.coordinator)
    held = {int(row["person_number"]) for row in rows(client)}
    read = AuditEntry.objects.filter(action="sessions_export.read", actor_id=world.coordinator.user_id)
    assert held == {world.mine.pk, world.unassigned.pk}
    assert sorted(read.values_list("learner_id", flat=True)) == sorted(held)

"""The co-ordinator's home works out the names of the people it lists before drawing them (ShownNames.work_out):
each is the name that working out everyone the reader can see gives, whatever names people share."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attunement.learners.models import Learner
from attunement.learners.naming import ShownNames, name_of, names_for

NAMES = st.sampled_from(["Chloe", "chloe", "Sam", "Ann", ""])
SURNAMES = st.sampled_from(["Jones", "Johnson", "Ja", "Taylor", "Jo", ""])


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    people=st.lists(st.tuples(NAMES, NAMES, SURNAMES), min_size=1, max_size=10),
    listed=st.lists(st.integers(0, 9), max_size=5),
)
def test_names_worked_out_for_a_list_are_those_of_everyone_s(world, people, listed):
    with transaction.atomic():
        created = [
            Learner.objects.create(
                organisation=world.school, first_name=first or "Kim", preferred_name=preferred, last_name=last
            )
            for first, preferred, last in people
        ]
        shown = [created[i] for i in listed if i < len(created)]
        names = ShownNames(world.coordinator)
        names.work_out(shown)
        everyone = names_for(world.coordinator)
        assert [names.name(person) for person in shown] == [name_of(person, everyone) for person in shown]
        transaction.set_rollback(True)

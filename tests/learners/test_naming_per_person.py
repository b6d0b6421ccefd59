"""A page works out the told-apart name of the person it shows from the people who share that person's name, and
gives the same answer as the rule worked out for everyone the reader can see."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attunement.learners.models import Assignment, Learner
from attunement.learners.naming import ShownNames, name_of, names_for, shown_name_key
from attunement.learners.selectors import learners_visible_to

pytestmark = pytest.mark.django_db

FIRST = st.sampled_from(["Chloe", "chloe", "CHLOE", "Sam", "Zoë", "zoë", "Ana"])
PREFERRED = st.sampled_from(["", "", "Chloe", "Sam", "zoë"])
LAST = st.text(alphabet="abJjTé", min_size=0, max_size=5)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=st.lists(st.tuples(FIRST, PREFERRED, LAST, st.booleans()), min_size=1, max_size=9))
def test_each_person_s_name_is_the_rule_worked_out_for_everyone(world, people):
    Learner.objects.filter(organisation=world.school).exclude(pk__in=[world.mine.pk, world.unassigned.pk]).delete()
    for first, preferred, last, assigned in people:
        learner = Learner.objects.create(
            organisation=world.school, first_name=first, preferred_name=preferred, last_name=last
        )
        if assigned:
            Assignment.objects.create(learner=learner, user=world.practitioner.user)
    for actor in (world.coordinator, world.practitioner):
        everyone = names_for(actor)
        for learner in learners_visible_to(actor):
            assert ShownNames(actor).name(learner) == name_of(learner, everyone)


def test_one_person_costs_one_query_and_a_page_of_several_two(world, django_assert_num_queries):
    people = [world.learner(world.school, name) for name in ("Chloe", "Chloe", "Sam", "Ben")]
    names = ShownNames(world.coordinator)
    with django_assert_num_queries(1):
        names.name(people[0])
        names.name(people[0])
    with django_assert_num_queries(1):  # a second person: the rule for everyone, once
        names.name(people[2])
    with django_assert_num_queries(0):
        assert [names.name(p) for p in people[1:]] == ["Chloe Test", "Sam", "Ben"]  # the same surname: all of it


def test_the_people_sharing_a_name_are_found_through_the_index_not_by_reading_everyone(world):
    chloe = world.learner(world.school, "Chloe")
    with CaptureQueriesContext(connection) as captured:
        ShownNames(world.coordinator).name(chloe)
    (query,) = captured.captured_queries
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            sql, params = (
                Learner.objects.filter(organisation=world.school)
                .annotate(shown=shown_name_key())
                .filter(shown="chloe")
                .values_list("pk")
                .query.sql_with_params()
            )
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " ".join(str(row) for row in cursor.fetchall())
        assert "learners_shown_name" in plan, plan
    assert "NULLIF" in query["sql"] and "''" in query["sql"]  # written as the index is, not with a parameter


def test_someone_who_sees_only_their_own_people_has_them_all_worked_out_in_one_query(world, django_assert_num_queries):
    people = [world.learner(world.school, name, assign=[world.practitioner]) for name in ("Chloe", "Chloe", "Sam")]
    names = ShownNames(world.practitioner)
    with django_assert_num_queries(1):
        assert [names.name(p) for p in (*people, world.mine)] == ["Chloe Test", "Chloe Test", "Sam", "Mina"]


def test_names_differing_only_in_an_accented_letter_s_case_are_told_apart(world):
    """The rule ignores case the way Python does, accented letters included (SQLite's LOWER does not)."""
    upper = world.learner(world.school, "ZOË", assign=[world.practitioner])
    lower = world.learner(world.school, "zoë", assign=[world.practitioner])
    Learner.objects.filter(pk=upper.pk).update(last_name="Ab")
    Learner.objects.filter(pk=lower.pk).update(last_name="Ac")
    upper.refresh_from_db()
    lower.refresh_from_db()
    names = ShownNames(world.practitioner)
    assert [names.name(upper), names.name(lower)] == ["ZOË Ab", "zoë Ac"]

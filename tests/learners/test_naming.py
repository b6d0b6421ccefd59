"""People who share a first name can be told apart on every page that names one."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from attunement.learners.models import Assignment
from attunement.learners.naming import distinct_names, names_for
from attunement.practice.services import session_record

from ..conftest import details, login, shown


@pytest.mark.parametrize(
    ("people", "expected"),
    [
        ([("Chloe", "", "Jones"), ("Chloe", "", "Taylor")], ["Chloe J.", "Chloe T."]),
        ([("Chloe", "", "Jones"), ("Chloe", "", "James")], ["Chloe Jo.", "Chloe Ja."]),
        ([("Chloe", "", "Jones"), ("Chloe", "", "Jonesy")], ["Chloe Jones", "Chloe Jonesy"]),
        ([("Elizabeth", "Lily", "Ng"), ("Lily", "", "Obi")], ["Lily N.", "Lily O."]),
        ([("Chloe", "", "Jones"), ("chloe", "", "Taylor"), ("Ben", "", "Ali")], ["Chloe J.", "chloe T.", "Ben"]),
        ([("Sam", "", "Ray")], ["Sam"]),
    ],
)
def test_the_surname_is_added_only_as_far_as_it_tells_people_apart(people, expected):
    names = distinct_names((i, first, preferred, last) for i, (first, preferred, last) in enumerate(people))
    assert [names[i] for i in range(len(people))] == expected


NAME = st.text(alphabet="abcdefgAB", min_size=1, max_size=6)


@given(st.lists(st.tuples(st.sampled_from(["Chloe", "Sam", "chloe"]), NAME), min_size=1, max_size=8))
def test_people_with_different_full_names_never_look_the_same(people):
    people = list({(first.casefold(), last.casefold()): (first, last) for first, last in people}.values())
    names = distinct_names((i, first, "", last) for i, (first, last) in enumerate(people))
    shown_names = [names[i].casefold() for i in range(len(people))]
    assert len(set(shown_names)) == len(shown_names)


@pytest.fixture
def two_chloes(world):
    """Chloe Jones and Chloe Taylor at the school; the practitioner works with both."""
    chloes = []
    for last in ("Jones", "Taylor"):
        learner = world.learner(world.school, "Chloe", assign=[world.practitioner])
        learner.last_name = last
        learner.save()
        chloes.append(learner)
    return chloes


@pytest.mark.django_db
class TestNamesOnPages:
    def test_the_rule_is_worked_out_in_one_query_however_many_people(
        self, world, two_chloes, django_assert_num_queries
    ):
        for n in range(20):
            world.learner(world.school, f"Person{n}")
        with django_assert_num_queries(1):
            names = names_for(world.coordinator)
        assert {names[c.pk] for c in two_chloes} == {"Chloe J.", "Chloe T."}
        assert world.mine.pk not in names  # everyone else keeps their usual name

    def test_someone_who_sees_only_one_chloe_sees_just_chloe(self, world, two_chloes):
        Assignment.objects.filter(user=world.practitioner.user, learner=two_chloes[1]).delete()
        assert two_chloes[0].pk not in names_for(world.practitioner)

    def test_quick_log_timeline_about_me_and_the_saved_message_tell_them_apart(self, world, two_chloes, client):
        jones, taylor = two_chloes
        login(client, world.practitioner)
        for learner, name in ((jones, "Chloe J."), (taylor, "Chloe T.")):
            page = shown(client.get(reverse("practice:log_session", kwargs={"learner_id": learner.pk})))
            assert f"<h1>Session with {name}</h1>" in page
            page = shown(client.get(reverse("practice:timeline", kwargs={"learner_id": learner.pk})))
            assert f"<h1>{name}'s sessions</h1>" in page
            page = shown(client.get(reverse("learners:about", kwargs={"learner_id": learner.pk})))
            assert f"<h1>About me: {name}</h1>" in page
            started = timezone.localtime() - timedelta(minutes=15)
            response = client.post(
                reverse("practice:log_session", kwargs={"learner_id": learner.pk}),
                {
                    "submission_key": str(uuid.uuid4()),
                    "started_at": started.strftime("%Y-%m-%dT%H:%M"),
                    "minutes": "10",
                    "planned": "false",
                },
                follow=True,
            )
            assert f"Session with {name} saved." in shown(response)

    def test_home_and_the_picker_tell_them_apart(self, world, two_chloes, client):
        for learner in two_chloes:
            session_record(actor=world.practitioner, learner=learner, details=details())
        login(client, world.practitioner)
        home = shown(client.get(reverse("home")))
        assert "Chloe J.</a>" in home and "Chloe T.</a>" in home
        picker = shown(client.get(reverse("practice:log")))
        assert "Chloe Jones" in picker and "Chloe Taylor" in picker

    def test_the_supervision_session_picker_tells_them_apart(self, world, two_chloes, client):
        for learner in two_chloes:
            session_record(actor=world.practitioner, learner=learner, details=details())
        login(client, world.coordinator)
        page = shown(client.get(reverse("means:supervision_new")))
        assert "Chloe J. — " in page and "Chloe T. — " in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name",
    [
        "learners:plans",
        "learners:edit",
        "learners:profile_edit",
        "learners:assignments",
        "learners:reports",
        "practice:progress",
        "practice:review_create",
        "privacy:consents",
        "privacy:legal_hold",
        "records:export",
    ],
)
def test_every_page_about_a_person_tells_the_two_chloes_apart(world, two_chloes, client, url_name):
    from attunement.organisations.models import Role

    login(client, world.members[Role.ADMINISTRATOR])
    for learner, name in zip(two_chloes, ("Chloe J.", "Chloe T."), strict=True):
        page = shown(client.get(reverse(url_name, kwargs={"learner_id": learner.pk})))
        assert name in page, url_name


@pytest.mark.django_db
def test_a_session_moved_between_two_chloes_says_which_is_which(world, two_chloes):
    from types import SimpleNamespace

    from attunement.practice.views import _corrected_message

    jones, taylor = two_chloes
    result = SimpleNamespace(
        already_saved=False,
        changes=["person"],
        moved_from=jones,
        record=SimpleNamespace(learner=taylor),
        evidence_removed=1,
    )
    assert _corrected_message(result, "session") == (
        "The session is now recorded for Chloe T., not Chloe J. "
        "It is no longer evidence in Chloe J.'s progress reviews."
    )

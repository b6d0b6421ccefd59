"""The busiest pages send the same number of queries however long a person's history is and however many
people the organisation has; a person's page never asks the database the same question twice."""

import re
from collections import Counter
from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from attunement.learners.models import Assignment, CommunicationProfile, Learner
from attunement.practice.models import ObservedBehaviour, Session

from .conftest import login

pytestmark = pytest.mark.django_db


def _add_sessions(learner, recorder, n: int, *, days_back: int = 60) -> None:
    fundamentals = list(learner.organisation.fundamentals.all()[:3])
    now = timezone.now()
    for i in range(n):
        session = Session.objects.create(
            learner=learner,
            recorded_by=recorder.user,
            started_at=now - timedelta(hours=2 + (i * 24 * days_back) // max(n, 1)),
            minutes=10 + i % 20,
            place="Sensory room" if i % 2 else "Garden",
            enjoyment=1 + i % 3,
            what_happened="Copied my hum.",
        )
        session.partners.add(recorder.user)
        session.fundamentals.add(*fundamentals[: 1 + i % 3])
        ObservedBehaviour.objects.create(session=session, description=f"Reached for the drum {i % 4}")


def _add_people(world, n: int, *, assign=None) -> list[Learner]:
    people = []
    for i in range(n):
        learner = Learner.objects.create(organisation=world.school, first_name=f"Person{i}", last_name="Many")
        CommunicationProfile.objects.create(learner=learner)
        if assign is not None:
            Assignment.objects.create(learner=learner, user=assign.user)
        people.append(learner)
    return people


def _queries(client, url: str, status: int = 200) -> list[dict]:
    client.get(url)  # the first request may set up the session and organisation defaults
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == status, response.status_code
    return captured.captured_queries


def _count(client, url: str) -> int:
    return len(_queries(client, url))


def test_the_timeline_sends_as_many_queries_for_50_sessions_as_for_5(world, client):
    login(client, world.practitioner)
    url = reverse("practice:timeline", kwargs={"learner_id": world.mine.pk})
    _add_sessions(world.mine, world.practitioner, 5)
    few = _count(client, url)
    _add_sessions(world.mine, world.practitioner, 45)
    assert _count(client, url) == few
    _add_people(world, 20, assign=world.practitioner)  # more people and staff do not change it either
    assert _count(client, url) == few


@pytest.mark.parametrize("page", ["learners:about", "practice:timeline", "practice:log_session"])
def test_a_person_s_page_never_sends_the_same_query_twice(world, client, page):
    """The permission checks for every button on the page (log a session, consent, …) ask the database once."""
    login(client, world.practitioner)
    _add_sessions(world.mine, world.practitioner, 3)
    queries = _queries(client, reverse(page, kwargs={"learner_id": world.mine.pk}))
    reads = Counter(q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT"))
    assert [sql for sql, n in reads.items() if n > 1] == []


def test_the_quick_log_sends_as_many_queries_for_a_long_history_as_for_a_short_one(world, client):
    login(client, world.practitioner)
    url = reverse("practice:log_session", kwargs={"learner_id": world.mine.pk})
    _add_sessions(world.mine, world.practitioner, 5)
    few = _count(client, url)
    _add_sessions(world.mine, world.practitioner, 45)
    assert _count(client, url) == few


def test_the_practitioner_s_home_sends_as_many_queries_for_many_sessions_and_people(world, client):
    login(client, world.practitioner)
    url = reverse("home")
    _add_sessions(world.mine, world.practitioner, 5)
    few = _count(client, url)
    for learner in _add_people(world, 8, assign=world.practitioner):
        _add_sessions(learner, world.practitioner, 6)
    assert _count(client, url) == few


def test_the_co_ordinator_s_home_and_people_list_do_not_grow_with_the_organisation(world, client):
    login(client, world.coordinator)
    _add_sessions(world.mine, world.practitioner, 5)
    home, people = _count(client, reverse("home")), _count(client, reverse("learners:list"))
    for learner in _add_people(world, 25, assign=world.practitioner)[:5]:
        _add_sessions(learner, world.practitioner, 4, days_back=6)
    assert _count(client, reverse("home")) == home
    assert _count(client, reverse("learners:list")) == people


def test_the_dashboard_sends_as_many_queries_for_a_busy_organisation_as_for_a_quiet_one(world, client):
    login(client, world.coordinator)
    url = reverse("outcomes:dashboard")
    _add_sessions(world.mine, world.practitioner, 3)
    quiet = _count(client, url)
    for learner in _add_people(world, 15, assign=world.practitioner)[:6]:
        _add_sessions(learner, world.practitioner, 8, days_back=300)
    assert _count(client, url) == quiet


def test_the_dashboard_s_alert_lists_send_as_many_queries_for_many_people_as_for_a_few(world, client):
    """Each alert page is counted and paged by the database, with everyone's consents read at once."""
    from attunement.outcomes.dashboard import ALERT_LISTS
    from attunement.privacy.models import Consent

    def expired_consents(people):
        for learner in people:
            for purpose in ("video", "reports"):
                Consent.objects.create(
                    learner=learner,
                    purpose=purpose,
                    given_by="parent",
                    starts_on=date(2024, 1, 1),
                    review_on=date(2024, 6, 1),
                )

    login(client, world.coordinator)
    expired_consents([world.mine])
    urls = [reverse("outcomes:dashboard_alert", args=[slug]) for slug in ALERT_LISTS] + [reverse("outcomes:dashboard")]
    few = [_count(client, url) for url in urls]
    many = _add_people(world, 70)  # more than one page of 50
    expired_consents(many)
    for learner in many[:20]:
        learner.weekly_session_target = 3
        learner.save()
    assert [_count(client, url) for url in urls] == few


def test_answers_kept_for_a_page_are_not_kept_for_the_next_request(world, client):
    """A practitioner whose link to a person ends between two requests cannot open the person's page any more."""
    login(client, world.practitioner)
    url = reverse("learners:about", kwargs={"learner_id": world.mine.pk})
    assert client.get(url).status_code == 200
    Assignment.objects.filter(learner=world.mine, user=world.practitioner.user).update(
        ends_on=timezone.localdate() - timedelta(days=1)
    )
    assert client.get(url).status_code == 404


def test_the_dashboard_counts_by_month_and_week_in_local_time(world, client):
    """Counted by the database, the dashboard still puts a session at 00:30 on the 1st of a summer month (23:30
    the day before in UTC) in that month and week, as the person who held it would."""
    from attunement.outcomes import dashboard as board
    from attunement.outcomes.periods import Period

    world.mine.weekly_session_target = 1
    world.mine.save()
    late = timezone.make_aware(datetime.combine(date(2026, 7, 1), time(0, 30)))  # a Wednesday, BST
    Session.objects.create(learner=world.mine, recorded_by=world.practitioner.user, started_at=late, minutes=10)
    period = Period(since=date(2026, 6, 1), until=date(2026, 7, 31))
    figures = board.ends(actor=world.coordinator, scope=board.Scope(), period=period)
    assert [(m["month"], m["sessions"]) for m in figures["months"]] == [(date(2026, 7, 1), 1)]
    week = next(w for w in figures["weeks"] if w["week"] == date(2026, 6, 29))
    assert (week["count"], week["people_met"]) == (1, 1)


def test_the_partner_pickers_offer_the_people_around_the_person_not_the_whole_staff(world, client):
    """A large organisation's staff are not all listed on the quick log or the timeline's filter; who works with
    the person is, someone else can be found by name and chosen, and the timeline still filters by them."""
    login(client, world.practitioner)
    others = [world.member(world.school, "practitioner", name=f"colleague{i}") for i in range(12)]
    helper = others[0]
    helper.user.last_name = "Okonjo"
    helper.user.save()
    log_url = reverse("practice:log_session", kwargs={"learner_id": world.mine.pk})
    page = client.get(log_url).content.decode()
    listed = [m for m in others if f'name="partners" value="{m.user_id}"' in page]
    assert listed == []
    assert f'name="partners" value="{world.practitioner.user_id}"' in page
    assert f'name="partners" value="{world.members["therapist"].user_id}"' in page  # assigned to Mina

    found = client.get(log_url, {"partner_search": "okonjo"}).content.decode()
    assert f'name="partners" value="{helper.user_id}"' in found
    assert f'name="partners" value="{others[1].user_id}"' not in found

    session = Session.objects.create(
        learner=world.mine, recorded_by=world.practitioner.user, started_at=timezone.now(), minutes=10
    )
    session.partners.add(helper.user)  # once a partner, offered from then on
    assert f'name="partners" value="{helper.user_id}"' in client.get(log_url).content.decode()
    timeline = reverse("practice:timeline", kwargs={"learner_id": world.mine.pk})
    filtered = client.get(timeline, {"partner": others[2].user_id})  # anyone on the staff may still be chosen
    assert filtered.status_code == 200
    options = re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', filtered.content.decode())
    assert (str(others[2].user_id), str(others[2].user)) in options
    assert (str(others[3].user_id), str(others[3].user)) not in options

"""The co-ordinator's home lists the people furthest behind their weekly target first: the selector's order and
counts equal working them out by hand from every person's sessions, whatever the targets and sessions."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attunement.learners.models import Learner
from attunement.practice import selectors
from attunement.practice.models import Session

PERSON = st.fixed_dictionaries(
    {
        "target": st.one_of(st.none(), st.integers(0, 5)),
        "active": st.booleans(),
        # days before this Monday (negative: this week), and whether the session was withdrawn
        "sessions": st.lists(st.tuples(st.integers(-6, 10), st.booleans()), max_size=6),
    }
)


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=st.lists(PERSON, max_size=8), limit=st.integers(1, 10))
def test_the_people_furthest_behind_come_first_with_their_counts(world, people, limit):
    monday = selectors.week_start(timezone.localdate())
    start = selectors._start_of(monday)
    now = timezone.now()
    with transaction.atomic():
        Learner.objects.filter(organisation=world.school).update(is_active=False)
        expected = []
        for i, person in enumerate(people):
            learner = Learner.objects.create(
                organisation=world.school,
                first_name=f"P{i}",
                last_name="Test",
                weekly_session_target=person["target"],
                is_active=person["active"],
            )
            count = 0
            for days_before, withdrawn in person["sessions"]:
                started = min(start - timedelta(days=days_before, hours=-1), now - timedelta(minutes=1))
                Session.objects.create(
                    learner=learner,
                    started_at=started,
                    minutes=10,
                    withdrawn_at=now if withdrawn else None,
                )
                count += started >= start and not withdrawn
            if person["active"]:
                target = learner.session_target()
                expected.append((-(target - count), learner.first_name, learner.pk, count))
        expected.sort()
        shown = selectors.learners_furthest_from_target(actor=world.coordinator, since=monday, limit=limit)
        assert [(p.pk, p.this_week) for p in shown] == [(pk, count) for _, _, pk, count in expected[:limit]]
        transaction.set_rollback(True)

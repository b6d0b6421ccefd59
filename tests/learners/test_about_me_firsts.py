"""About me's "Recently seen for the first time": the latest real firsts of the person, newest first, read from the
sessions that hold one; never a withdrawn session's, never a person the reader cannot see."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attunement.practice.models import ObservedBehaviour
from attunement.practice.selectors import new_behaviour_moments
from attunement.practice.services import session_record, session_withdraw

from ..conftest import details, login

pytestmark = pytest.mark.django_db

TEXTS = ["Reached for my hand", "reached for the hands.", "Copied my hum", "Leaned in close", "Rocked with me"]
SESSIONS = st.lists(
    st.tuples(
        st.integers(1, 90),  # days ago
        st.lists(st.tuples(st.sampled_from(TEXTS), st.sampled_from(["typical", "new"])), max_size=3),
        st.booleans(),  # withdrawn afterwards
    ),
    max_size=8,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sessions=SESSIONS, limit=st.integers(1, 6))
def test_the_latest_firsts_are_those_of_every_session_that_counts(world, sessions, limit):
    ObservedBehaviour.objects.all().delete()
    world.mine.sessions.all().delete()
    now = timezone.now()
    for days, behaviours, withdrawn in sessions:
        session = session_record(
            actor=world.practitioner,
            learner=world.mine,
            details=details(started_at=now - timedelta(days=days, minutes=len(behaviours)), behaviours=behaviours),
        ).session
        if withdrawn:
            session_withdraw(actor=world.coordinator, session=session, reason="Logged for the wrong day")
    # The oracle: every flagged first of a session that counts, newest session first.
    every = ObservedBehaviour.objects.filter(
        is_first=True, session__learner=world.mine, session__withdrawn_at__isnull=True
    ).order_by("-session__started_at", "pk")
    expected = [(b.session.started_at, b.pk) for b in every]
    shown = list(new_behaviour_moments(actor=world.practitioner, learner=world.mine, limit=limit))
    assert len(shown) == min(limit, len(expected))
    assert [b.session.started_at for b in shown] == [when for when, _ in expected[:limit]]
    assert {b.pk for b in shown} <= {pk for _, pk in expected}
    assert list(new_behaviour_moments(actor=world.other_coordinator, learner=world.mine)) == []


def test_about_me_lists_them_with_a_link_to_their_session(world, client):
    saved = session_record(
        actor=world.practitioner,
        learner=world.mine,
        details=details(behaviours=[("Rocked with me", "new")]),
    ).session
    login(client, world.practitioner)
    page = client.get(reverse("learners:about", kwargs={"learner_id": world.mine.pk})).content.decode()
    link = reverse("practice:session", kwargs={"learner_id": world.mine.pk, "session_id": saved.pk})
    assert "Recently seen for the first time" in page and "Rocked with me" in page and link in page

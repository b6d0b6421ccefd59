"""A behaviour already seen before is not counted again as a first in the practitioner's, therapist's and plan
review reports."""

from datetime import timedelta

import pytest
from django.utils import timezone

from attunement.learners.models import Plan, PlanOutcome
from attunement.organisations.models import Role
from attunement.outcomes.periods import Period
from attunement.outcomes.reports import evidence_pack, my_practice, therapist_report
from attunement.practice.models import ObservedBehaviour, Session
from attunement.practice.novelty import refresh_first_flags

from ..conftest import details


@pytest.mark.django_db
def test_a_behaviour_marked_new_twice_counts_once(world):
    from attunement.practice.services import session_record

    outcome = PlanOutcome.objects.create(plan=Plan.objects.create(learner=world.mine, kind="ehcp"), text="Turns")
    now = timezone.now()
    for days in (100, 50, 10):
        session_record(
            actor=world.practitioner,
            learner=world.mine,
            details=details(
                started_at=now - timedelta(days=days),
                partner_ids=[world.practitioner.user_id],
                outcome_ids=[outcome.pk],
            ),
        )
    # Saved as "never seen before" three times (as happened before the form checked the history).
    for session in Session.objects.filter(learner=world.mine):
        ObservedBehaviour.objects.create(session=session, description="Reached for my hand", novelty="new")
    refresh_first_flags([world.mine.pk])  # as the migration does for records saved before the check
    period = Period(since=timezone.localdate() - timedelta(days=364), until=timezone.localdate())

    (row,) = my_practice(actor=world.practitioner, period=period)["people"]
    assert row["firsts"] == ["Reached for my hand"]
    (person,) = [
        r
        for r in therapist_report(actor=world.members[Role.THERAPIST], period=period)["caseload"]
        if r["learner"] == world.mine
    ]
    assert person["before"]["firsts"] + person["after"]["firsts"] == 1
    (item,) = evidence_pack(actor=world.practitioner, learner=world.mine, period=period)["outcomes"]
    assert [s["firsts"] for s in item["sessions"]] == [["Reached for my hand"], [], []]

from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from attunement.learners.models import Plan, PlanKind
from attunement.organisations.models import Role, Site
from attunement.outcomes import dashboard as board
from attunement.outcomes.periods import Period
from attunement.practice.models import Session
from attunement.practice.selectors import week_start
from attunement.practice.services import RatingInput, review_record

from ..conftest import login

TODAY = date(2026, 11, 18)  # a Wednesday


def on(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


@pytest.mark.django_db
class TestAlerts:
    def test_below_target_means_below_it_in_both_of_the_last_two_whole_weeks(self, world):
        world.mine.weekly_session_target = 2
        world.mine.save()
        world.unassigned.weekly_session_target = 2
        world.unassigned.save()
        last_week, week_before = week_start(TODAY) - timedelta(weeks=1), week_start(TODAY) - timedelta(weeks=2)
        for day in (week_before, last_week, last_week + timedelta(days=1)):
            Session.objects.create(learner=world.unassigned, started_at=on(day), minutes=10)
        Session.objects.create(learner=world.mine, started_at=on(week_before), minutes=10)
        Session.objects.create(learner=world.mine, started_at=on(last_week), minutes=10)
        below = board.regularity(actor=world.coordinator, scope=board.Scope(), today=TODAY)
        assert [(row["learner"], row["weekly"]) for row in below] == [(world.mine, [1, 1])]

    def test_no_review_this_term_lists_only_those_without_one_since_the_term_began(self, world):
        scale = world.school.progress_scale
        fundamental = world.school.fundamentals.first()
        review_record(
            actor=world.coordinator,
            learner=world.mine,
            scale=scale,
            reviewed_on=date(2026, 9, 20),
            ratings=[RatingInput(level_id=scale.levels.first().pk, fundamental_id=fundamental.pk)],
        )
        review_record(
            actor=world.coordinator,
            learner=world.unassigned,
            scale=scale,
            reviewed_on=date(2026, 7, 1),
            ratings=[RatingInput(level_id=scale.levels.first().pk, fundamental_id=fundamental.pk)],
        )
        assert board.term_start(TODAY) == date(2026, 9, 1)
        assert board.without_review_this_term(actor=world.coordinator, scope=board.Scope(), today=TODAY) == [
            world.unassigned
        ]


@pytest.mark.django_db
def test_progress_movement_puts_each_person_in_one_group_and_never_counts_a_fall_as_a_rise(world):
    scale = world.school.progress_scale
    levels = list(scale.levels.all())
    turns, gaze = world.school.fundamentals.all()[:2]

    def review(learner, day, turns_level, gaze_level):
        review_record(
            actor=world.coordinator,
            learner=learner,
            scale=scale,
            reviewed_on=day,
            ratings=[
                RatingInput(level_id=levels[turns_level].pk, fundamental_id=turns.pk),
                RatingInput(level_id=levels[gaze_level].pk, fundamental_id=gaze.pk),
            ],
        )

    mixed = world.learner(world.school, "Mo")
    review(world.mine, date(2026, 3, 1), 0, 1)
    review(world.mine, date(2026, 7, 1), 2, 1)  # one up, one the same: up on half, down on none
    review(world.unassigned, date(2026, 3, 1), 2, 2)
    review(world.unassigned, date(2026, 7, 1), 1, 2)  # one down, none up: down only
    review(mixed, date(2026, 3, 1), 1, 1)
    review(mixed, date(2026, 7, 1), 2, 0)  # one up and one down: never counted as up
    people = board.Scope().people(world.coordinator)
    moved = board.progress_movement(people, Period(since=date(2026, 1, 1), until=TODAY))
    assert moved == {
        "up_most": 0,
        "up_some": 1,
        "mixed": 1,
        "same": 0,
        "down": 1,
        "one_review": 0,
        "no_review": 0,
    }


@pytest.mark.django_db
def test_the_dashboard_narrows_to_a_site_and_is_for_leaders_only(world, client):
    primary = Site.objects.create(organisation=world.school, name="Primary")
    world.mine.site = primary
    world.mine.save()
    Session.objects.create(learner=world.mine, started_at=timezone.now() - timedelta(days=3), minutes=10)
    Session.objects.create(learner=world.unassigned, started_at=timezone.now() - timedelta(days=3), minutes=10)
    scope = board.Scope(site_id=primary.pk)
    assert (
        board.ends(
            actor=world.coordinator,
            scope=scope,
            period=Period(since=timezone.localdate() - timedelta(days=30), until=timezone.localdate()),
        )["sessions"]
        == 1
    )
    login(client, world.coordinator)
    page = client.get(reverse("outcomes:dashboard"), {"site": primary.pk}).content.decode()
    assert "Means and ends" in page and "Needs attention" in page
    for role in (Role.PRACTITIONER, Role.FAMILY, Role.EXTERNAL, Role.THERAPIST):
        login(client, world.members[role])
        assert client.get(reverse("outcomes:dashboard")).status_code == 403


@pytest.mark.django_db
def test_the_dashboard_counts_the_people_with_a_current_plan_that_has_outcomes(world, client):
    """Of the people shown, those with an active plan holding an outcome still in use; a retired outcome, a
    retired plan or another organisation's person does not count."""
    with_outcome = Plan.objects.create(learner=world.mine, kind=PlanKind.values[0])
    with_outcome.outcomes.create(text="Takes turns")
    with_outcome.outcomes.create(text="Old aim", is_active=False)
    retired = Plan.objects.create(learner=world.unassigned, kind=PlanKind.values[0], is_active=False)
    retired.outcomes.create(text="Looks up")
    Plan.objects.create(learner=world.foreign, kind=PlanKind.values[0]).outcomes.create(text="Elsewhere")
    figures = board.ends(
        actor=world.coordinator,
        scope=board.Scope(),
        period=Period(since=timezone.localdate() - timedelta(days=30), until=timezone.localdate()),
    )
    assert figures["plans"] == {"people": 2, "with_outcomes": 1} and figures["people"] == 2
    login(client, world.coordinator)
    page = client.get(reverse("outcomes:dashboard")).content.decode()
    assert "<dt>People with a current plan that has outcomes</dt><dd>1 of 2</dd>" in page

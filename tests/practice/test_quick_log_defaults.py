"""What the quick log fills in and offers first, so the common case takes five taps: the person's usual length,
a start that many minutes before now, "Same as last time" and the Fundamentals they are working on first. Withdrawn
sessions and reviews never count, and enjoyment and the ending are never chosen for the practitioner."""

import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from statistics import median_low

import pytest
from django import forms
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from attunement.practice import selectors, services
from attunement.practice.forms import QuickLogForm, StartField, default_start
from attunement.practice.models import Fundamental, Session
from attunement.practice.services import RatingInput

from ..conftest import login

pytestmark = pytest.mark.django_db
DB_EXAMPLES = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def fundamentals(world, n):
    return list(Fundamental.objects.filter(organisation=world.school).order_by("position", "pk")[:n])


def add_session(learner, *, hours_ago: float, minutes: int = 10, fundamental_ids=(), recorder=None, withdrawn=False):
    now = timezone.now()
    session = Session.objects.create(
        learner=learner,
        recorded_by=recorder.user if recorder else None,
        started_at=now - timedelta(hours=hours_ago),
        minutes=minutes,
        withdrawn_at=now if withdrawn else None,
    )
    session.fundamentals.add(*fundamental_ids)
    return session


def log_page(client, learner) -> str:
    return client.get(reverse("practice:log_session", kwargs={"learner_id": learner.pk})).content.decode()


# --- The usual length ---------------------------------------------------------------------------------------------


@given(lengths=st.lists(st.integers(1, 300), min_size=1, max_size=40))
def test_the_middle_length_is_a_length_really_used_with_as_many_shorter_as_longer(lengths):
    middle = selectors.middle_length(lengths)
    assert middle in lengths
    shorter = sum(1 for length in lengths if length < middle)
    longer = sum(1 for length in lengths if length > middle)
    assert shorter <= (len(lengths) - 1) // 2 and longer <= len(lengths) // 2
    assert middle == median_low(lengths)


def test_ten_and_fifteen_give_ten_not_twelve_and_a_half():
    assert selectors.middle_length([15, 10]) == 10
    assert selectors.middle_length([5, 30, 10]) == 10


@DB_EXAMPLES
@given(sessions=st.lists(st.tuples(st.integers(1, 120), st.booleans()), min_size=1, max_size=25))
def test_the_usual_length_is_the_middle_of_the_person_s_last_ten_sessions_that_count(world, sessions):
    with transaction.atomic():
        for i, (minutes, withdrawn) in enumerate(sessions):  # the first is the latest
            add_session(world.mine, hours_ago=1 + i, minutes=minutes, withdrawn=withdrawn)
        counted = [minutes for minutes, withdrawn in sessions if not withdrawn][:10]
        usual = selectors.usual_minutes(learner=world.mine)
        if counted:
            assert (usual.minutes, usual.source, usual.sessions) == (median_low(counted), "person", len(counted))
        else:
            assert usual.source != "person"
        assert selectors.quick_log_suggestions(learner=world.mine).usual == usual
        transaction.set_rollback(True)


def test_with_no_sessions_of_their_own_it_is_the_organisation_s_usual_then_ten_minutes(world):
    assert selectors.usual_minutes(learner=world.mine) == selectors.UsualLength(10, "starting", 0)
    add_session(world.foreign, hours_ago=2, minutes=40)  # another organisation's sessions never count
    add_session(world.unassigned, hours_ago=2, minutes=25, withdrawn=True)
    assert selectors.usual_minutes(learner=world.mine).source == "starting"
    for minutes in (15, 20, 30):
        add_session(world.unassigned, hours_ago=3, minutes=minutes)
    add_session(world.unassigned, hours_ago=24 * 100, minutes=5)  # too long ago
    assert selectors.usual_minutes(learner=world.mine) == selectors.UsualLength(20, "organisation", 3)


# --- The start: now minus the minutes, sent as an exact moment -----------------------------------------------------


@given(
    now=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)),
    minutes=st.integers(0, 300),
)
def test_the_default_start_is_the_minutes_before_now_to_the_minute(now, minutes):
    start = default_start(minutes=minutes, now=now)
    assert start.second == 0 and start.microsecond == 0
    assert now - timedelta(minutes=minutes + 1) < start <= now - timedelta(minutes=minutes)


def test_with_no_minutes_the_default_start_is_now():
    now = datetime(2026, 12, 6, 14, 5, 42, tzinfo=UTC)
    assert default_start(minutes=None, now=now) == datetime(2026, 12, 6, 14, 5, tzinfo=UTC)


@given(
    moment=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)),
    offset_minutes=st.integers(-12 * 60, 14 * 60),
)
def test_an_exact_moment_means_the_same_instant_whatever_its_offset(moment, offset_minutes):
    from datetime import timezone as fixed

    shown = moment.astimezone(fixed(timedelta(minutes=offset_minutes)))
    field = StartField(input_formats=["%Y-%m-%dT%H:%M"])
    assert field.clean(shown.isoformat()) == moment
    assert field.clean(moment.isoformat().replace("+00:00", "Z")) == moment


def test_a_time_typed_in_the_box_is_on_the_organisation_s_clock(settings):
    settings.TIME_ZONE = "Europe/London"
    field = StartField(input_formats=["%Y-%m-%dT%H:%M"])
    with timezone.override("Europe/London"):
        assert field.clean("2026-07-01T14:05") == datetime(2026, 7, 1, 13, 5, tzinfo=UTC)  # summer time
        assert field.clean("2026-12-01T14:05") == datetime(2026, 12, 1, 14, 5, tzinfo=UTC)
        # The hour that happens twice when the clocks go back is taken as its first time, not refused.
        assert field.clean("2026-10-25T01:30") == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
        with pytest.raises(forms.ValidationError, match="clocks went forward"):
            field.clean("2026-03-29T01:30")
        with pytest.raises(forms.ValidationError, match="date and time the session started"):
            field.clean("half past two")


def test_a_new_form_starts_with_the_usual_length_and_a_start_that_many_minutes_ago(world):
    for minutes in (12, 20, 12):
        add_session(world.mine, hours_ago=5, minutes=minutes)
    suggestions = selectors.quick_log_suggestions(learner=world.mine)
    before = timezone.now()
    outcomes = selectors.active_outcomes(learner=world.mine)
    form = QuickLogForm(actor=world.practitioner, learner=world.mine, outcomes=outcomes, suggestions=suggestions)
    assert form.initial["minutes"] == 12
    start = form.initial["started_at"]
    assert before - timedelta(minutes=13) <= start <= timezone.now() - timedelta(minutes=12)


def test_the_page_preselects_the_usual_length_says_so_and_never_chooses_enjoyment_or_the_ending(world, client):
    for minutes in (15, 20, 15, 30, 15):
        add_session(world.mine, hours_ago=5, minutes=minutes)
    login(client, world.practitioner)
    page = log_page(client, world.mine)
    assert 'name="minutes" value="15"' in page
    assert "Chosen for you: <strong>15 min</strong>, the usual length of Mina's last 5 sessions." in page
    assert re.search(r'name="enjoyment"[^>]*checked', page) is None
    assert re.search(r'name="ending"[^>]*checked', page) is None
    started = re.search(r'name="started_at" value="([^"]+)"', page).group(1)
    shown = timezone.make_aware(datetime.strptime(started, "%Y-%m-%dT%H:%M"))
    assert timezone.now() - timedelta(minutes=17) <= shown <= timezone.now() - timedelta(minutes=14)


def test_a_start_sent_as_an_exact_moment_is_saved_as_that_moment(world, client):
    login(client, world.practitioner)
    moment = (timezone.now() - timedelta(minutes=25)).replace(second=0, microsecond=0)
    data = {
        "submission_key": str(uuid.uuid4()),
        "started_at": moment.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "minutes": "25",
        "planned": "false",
    }
    response = client.post(reverse("practice:log_session", kwargs={"learner_id": world.mine.pk}), data)
    assert response.status_code == 302
    assert Session.objects.get().started_at == moment


def test_a_moment_in_the_future_is_refused_and_shown_again_on_the_local_clock(world, client, settings):
    settings.TIME_ZONE = "Europe/London"
    login(client, world.practitioner)
    data = {
        "submission_key": str(uuid.uuid4()),
        "started_at": "2999-07-01T12:00:00Z",
        "minutes": "10",
        "planned": "false",
    }
    with timezone.override("Europe/London"):
        response = client.post(reverse("practice:log_session", kwargs={"learner_id": world.mine.pk}), data)
    page = response.content.decode()
    assert response.status_code == 400 and "The start time is in the future" in page
    assert 'value="2999-07-01T13:00"' in page  # 12:00 UTC is 13:00 in London in July
    assert Session.objects.count() == 0


# --- Same as last time --------------------------------------------------------------------------------------------


def test_a_person_with_no_session_has_no_last_time_and_no_button(world, client):
    assert selectors.last_time(learner=world.mine) is None
    login(client, world.practitioner)
    assert "Same as last time" not in log_page(client, world.mine)


def test_same_as_last_time_offers_the_fundamentals_of_the_previous_session_and_never_a_withdrawn_one(world, client):
    f1, f2, f3, f4 = fundamentals(world, 4)
    add_session(world.mine, hours_ago=30, fundamental_ids=[f3.pk])
    previous = add_session(world.mine, hours_ago=20, fundamental_ids=[f2.pk, f1.pk])
    add_session(world.mine, hours_ago=10, fundamental_ids=[f4.pk], withdrawn=True)  # withdrawn: never counts
    add_session(world.unassigned, hours_ago=1, fundamental_ids=[f4.pk])  # someone else's
    last = selectors.last_time(learner=world.mine)
    assert last.started_at == previous.started_at
    assert last.fundamentals == [f1, f2]
    assert selectors.quick_log_suggestions(learner=world.mine).last_time == last
    login(client, world.practitioner)
    page = log_page(client, world.mine)
    assert f'data-fundamentals="{f1.pk} {f2.pk}"' in page
    assert f"Same as last time: {f1.name} and {f2.name}" in page


def test_a_retired_fundamental_is_left_out_and_a_previous_session_with_none_offers_no_button(world, client):
    f1, f2 = fundamentals(world, 2)
    add_session(world.mine, hours_ago=5, fundamental_ids=[f1.pk, f2.pk])
    services.fundamental_set_retired(actor=world.coordinator, fundamental=f2, retired=True)
    assert selectors.last_time(learner=world.mine).fundamentals == [f1]
    add_session(world.mine, hours_ago=1)
    assert selectors.last_time(learner=world.mine).fundamentals == []
    login(client, world.practitioner)
    assert "Same as last time" not in log_page(client, world.mine)


def test_a_long_last_time_names_three_and_says_how_many_more(world, client):
    many = fundamentals(world, 5)
    add_session(world.mine, hours_ago=5, fundamental_ids=[f.pk for f in many])
    login(client, world.practitioner)
    page = log_page(client, world.mine)
    assert f"Same as last time: {many[0].name}, {many[1].name} and 3 more" in page
    assert f'data-fundamentals="{" ".join(str(f.pk) for f in many)}"' in page


# --- The Fundamentals they are working on, first ------------------------------------------------------------------


def review(world, ratings: dict, *, days_ago: int):
    """A progress review of Mina on the organisation's scale (Not yet seen, Emerging, Established, Generalising)."""
    levels = list(world.school.progress_scale.levels.all())
    return services.review_record(
        actor=world.coordinator,
        learner=world.mine,
        scale=world.school.progress_scale,
        reviewed_on=timezone.localdate() - timedelta(days=days_ago),
        ratings=[RatingInput(level_id=levels[level].pk, fundamental_id=f.pk) for f, level in ratings.items()],
    )


def test_with_no_review_nothing_is_put_first(world):
    assert selectors.fundamentals_working_on(learner=world.mine) is None


def test_the_fundamentals_emerging_in_the_latest_review_come_first_in_the_organisation_s_order(world, client):
    f = fundamentals(world, 8)
    review(world, {f[0]: 1, f[1]: 1}, days_ago=100)
    latest = review(world, {f[6]: 1, f[2]: 1, f[3]: 0, f[4]: 2, f[5]: 3}, days_ago=10)
    working_on = selectors.fundamentals_working_on(learner=world.mine)
    assert working_on == selectors.WorkingOn(reviewed_on=latest.reviewed_on, fundamental_ids=[f[2].pk, f[6].pk])
    login(client, world.practitioner)
    page = log_page(client, world.mine)
    heading = page.index("Working on now")
    positions = {x: page.index(f'name="fundamentals" value="{x.pk}"') for x in f}
    assert heading < positions[f[2]] < positions[f[6]] < page.index("Other Fundamentals")
    assert page.index("Other Fundamentals") < positions[f[0]] < positions[f[1]] < positions[f[3]] < positions[f[7]]


def test_a_withdrawn_review_never_counts_and_the_earlier_one_is_used(world):
    f = fundamentals(world, 3)
    earlier = review(world, {f[0]: 1}, days_ago=100)
    wrong = review(world, {f[1]: 1, f[2]: 1}, days_ago=5)
    services.review_withdraw(actor=world.coordinator, review=wrong, reason="Wrong child")
    working_on = selectors.fundamentals_working_on(learner=world.mine)
    assert working_on == selectors.WorkingOn(reviewed_on=earlier.reviewed_on, fundamental_ids=[f[0].pk])


@DB_EXAMPLES
@given(levels=st.lists(st.integers(0, 3), min_size=1, max_size=8))
def test_only_seen_but_not_yet_established_fundamentals_are_worked_on(world, levels):
    f = fundamentals(world, len(levels))
    assume(len(f) == len(levels))
    with transaction.atomic():
        review(world, dict(zip(f, levels, strict=True)), days_ago=3)
        working_on = selectors.fundamentals_working_on(learner=world.mine)
        assert working_on.fundamental_ids == [x.pk for x, level in zip(f, levels, strict=True) if level == 1]
        transaction.set_rollback(True)


# --- From the home page, in one tap -------------------------------------------------------------------------------


def test_the_practitioner_s_home_offers_a_one_tap_log_with_the_person_last_seen_first(world, client):
    other = world.learner(world.school, "Ola", assign=[world.practitioner])
    login(client, world.practitioner)
    add_session(world.mine, hours_ago=30, recorder=world.practitioner)
    add_session(other, hours_ago=2, recorder=world.practitioner)
    page = client.get(reverse("home")).content.decode()
    first = re.search(r'class="button primary huge log-with-first" href="([^"]+)"', page).group(1)
    assert first == reverse("practice:log_session", kwargs={"learner_id": other.pk})
    assert "Log a session with Ola</span>" in page
    assert '<span class="visually-hidden">Log a session with </span>Mina</span>' in page
    assert page.index(first) < page.index(reverse("practice:log_session", kwargs={"learner_id": world.mine.pk}))


def test_a_coordinator_is_offered_only_people_they_have_logged_with(world, client):
    login(client, world.coordinator)
    page = client.get(reverse("home")).content.decode()
    assert "log-with-first" not in page
    assert f'class="button primary huge" href="{reverse("practice:log")}">Log a session</a>' in page
    add_session(world.unassigned, hours_ago=2, recorder=world.coordinator)
    page = client.get(reverse("home")).content.decode()
    assert "Log a session with Una" in page
    assert "Log a session with Mina" not in page


def last_clocks_back() -> datetime:
    """01:00 UTC on the latest last Sunday of October before now: when London's clocks went back an hour."""
    year = timezone.now().year
    while True:
        day = datetime(year, 10, 31, 1, 0, tzinfo=UTC)
        day -= timedelta(days=(day.weekday() + 1) % 7)
        if day < timezone.now():
            return day
        year -= 1


def test_sessions_sent_by_the_api_in_the_hour_that_happens_twice_keep_their_own_hour(world, client, settings):
    from ..api.conftest import bearer, make_key

    settings.TIME_ZONE = "Europe/London"
    _, secret = make_key(world)
    back = last_clocks_back()
    moments = [back - timedelta(minutes=30), back + timedelta(minutes=30)]  # both 01:30 on London's clocks
    for moment in moments:
        body = {
            "submission_key": str(uuid.uuid4()),
            "started_at": moment.isoformat(),
            "minutes": 15,
            "partner_ids": [world.coordinator.user_id],
        }
        response = client.post(
            f"/api/v1/people/{world.mine.pk}/sessions",
            json.dumps(body),
            content_type="application/json",
            headers=bearer(secret),
        )
        assert response.status_code == 201, response.content
    assert sorted(Session.objects.values_list("started_at", flat=True)) == moments

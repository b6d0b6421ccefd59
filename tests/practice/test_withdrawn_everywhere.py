"""A withdrawn session and a withdrawn progress review are gone from everything that counts or shows records:
the timeline, the home page, the family's page, the progress chart, the dashboard, the organisation summary, the
person's reports, the catalogue's counts and the quick log's suggestions; and they stay in the audit trail."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attunement.learners.models import CommunicationProfile, Learner
from attunement.organisations.models import AuditEntry, Role
from attunement.outcomes import dashboard, reports
from attunement.outcomes.periods import Period
from attunement.outcomes.selectors import organisation_summary
from attunement.practice import selectors, services
from attunement.practice.models import Fundamental, Session
from attunement.practice.services import RatingInput
from attunement.privacy.models import Consent

from ..conftest import details, login, shown
from ..reflection.videos import filmed_clipped_and_coded

WRONG = "Drumming by the window"  # the session that was logged for the wrong person
WRONG_FIRST = "Hummed a new tune"
KEPT = "Bubbles in the garden"


def _agree(learner, purpose):
    Consent.objects.create(
        learner=learner,
        purpose=purpose,
        given_by="parent",
        giver_name="A parent",
        starts_on=timezone.localdate() - timedelta(days=30),
        review_on=timezone.localdate() + timedelta(days=300),
    )


@pytest.fixture
def records(world):
    """Mina has two sessions in the last two hours and two reviews, yesterday and today; the second of each is the
    one that will be withdrawn.
    Four more people agreed to anonymised reports, so the organisation summary shows exact figures."""
    mina = world.mine
    for purpose in ("family", "reports"):
        _agree(mina, purpose)
    for name in ("Ada", "Bo", "Cy", "Di"):
        other = Learner.objects.create(organisation=world.school, first_name=name, last_name="Test")
        CommunicationProfile.objects.create(learner=other)
        _agree(other, "reports")
    fundamental = Fundamental.objects.filter(organisation=world.school).first()
    now = timezone.now()
    kept = services.session_record(
        actor=world.practitioner,
        learner=mina,
        details=details(started_at=now - timedelta(minutes=90), what_happened=KEPT, fundamental_ids=[fundamental.pk]),
    ).session
    wrong = services.session_record(
        actor=world.practitioner,
        learner=mina,
        details=details(
            started_at=now - timedelta(minutes=30),
            what_happened=WRONG,
            fundamental_ids=[fundamental.pk],
            behaviours=[(WRONG_FIRST, "new")],
        ),
    ).session
    scale = world.school.progress_scale
    levels = list(scale.levels.all())

    def review(level, on):
        return services.review_record(
            actor=world.practitioner,
            learner=mina,
            scale=scale,
            reviewed_on=on,
            ratings=[RatingInput(level_id=levels[level].pk, fundamental_id=fundamental.pk)],
        )

    first_review = review(0, timezone.localdate() - timedelta(days=1))
    wrong_review = review(3, timezone.localdate())
    return {
        "kept": kept,
        "wrong": wrong,
        "first_review": first_review,
        "wrong_review": wrong_review,
        "fundamental": fundamental,
        "levels": levels,
    }


def _views(world, client, records):
    """Everything the test looks at, as it is now."""
    mina, coordinator = world.mine, world.coordinator
    period = Period(since=timezone.localdate() - timedelta(days=30), until=timezone.localdate())
    seen = {}
    login(client, world.practitioner)
    seen["timeline"] = shown(client.get(reverse("practice:timeline", kwargs={"learner_id": mina.pk})))
    seen["home"] = shown(client.get(reverse("home")))
    seen["story"] = shown(client.get(reverse("learners:report", kwargs={"learner_id": mina.pk, "kind": "story"})))
    seen["progress"] = shown(client.get(reverse("practice:progress", kwargs={"learner_id": mina.pk})))
    login(client, coordinator)
    csv_url = reverse("outcomes:sessions_csv") + f"?since={period.since}&until={period.until}"
    seen["csv"] = b"".join(client.get(csv_url)).decode("utf-8-sig")
    login(client, world.members[Role.FAMILY])
    seen["family"] = shown(client.get(reverse("practice:family_person", kwargs={"learner_id": mina.pk})))
    scale = world.school.progress_scale
    series = selectors.progress_series(actor=coordinator, learner=mina, scale=scale)
    seen["chart_points"] = [
        (p["review_id"], p["label"])
        for item in series
        if item["fundamental"] == records["fundamental"]
        for p in item["points"]
    ]
    ends = dashboard.ends(actor=coordinator, scope=dashboard.Scope(), period=period)
    seen["dashboard_sessions"] = ends["sessions"]
    seen["dashboard_firsts"] = sum(month["firsts"] for month in ends["months"])
    summary = organisation_summary(organisation=world.school, period=period)
    seen["summary_sessions"] = summary["sessions_total"].value
    seen["summary_with_new"] = summary["with_new"]
    story = reports.person_story(actor=coordinator, learner=mina, period=period)
    seen["story_sessions"] = story["sessions"]
    seen["story_progress"] = [(c["from"], c["to"]) for c in story["progress"]]
    seen["catalogue_count"] = next(
        f.times_seen for f in selectors.fundamentals_catalogue(actor=coordinator) if f == records["fundamental"]
    )
    # Counted from the day of the earlier session rather than from Monday, which just after midnight on a Monday
    # would leave both sessions in the week before.
    since = timezone.localdate(records["kept"].started_at)
    furthest = selectors.learners_furthest_from_target(actor=coordinator, since=since, limit=50)
    seen["home_week_count"] = next(p.this_week for p in furthest if p == mina)
    seen["suggestions"] = selectors.behaviour_suggestions(learner=mina)
    return seen


@pytest.mark.django_db
def test_a_withdrawn_session_and_review_are_gone_from_every_view_and_stay_in_the_audit_trail(world, client, records):
    wrong, wrong_review, levels = records["wrong"], records["wrong_review"], records["levels"]
    session_url = reverse("practice:session", kwargs={"learner_id": world.mine.pk, "session_id": wrong.pk})

    before = _views(world, client, records)
    assert WRONG in before["timeline"] and WRONG in before["family"] and WRONG_FIRST in before["story"]
    assert session_url in before["home"]
    review_url = reverse("practice:review", kwargs={"learner_id": world.mine.pk, "review_id": wrong_review.pk})
    assert review_url in before["progress"] and WRONG_FIRST in before["csv"]
    assert len(before["csv"].splitlines()) == 3  # the heading and two sessions
    assert before["chart_points"] == [
        (records["first_review"].pk, levels[0].label),
        (wrong_review.pk, levels[3].label),
    ]
    assert (before["dashboard_sessions"], before["dashboard_firsts"]) == (2, 1)
    assert before["summary_sessions"] == 2
    assert before["story_sessions"] == 2 and before["story_progress"] == [(levels[0].label, levels[3].label)]
    assert before["catalogue_count"] == 2 and before["home_week_count"] == 2
    assert WRONG_FIRST in before["suggestions"]

    services.session_withdraw(actor=world.coordinator, session=wrong, reason="Logged for the wrong person")
    services.review_withdraw(actor=world.coordinator, review=wrong_review, reason="Reviewed the wrong pupil")

    after = _views(world, client, records)
    for page in ("timeline", "family", "story"):
        assert WRONG not in after[page] and WRONG_FIRST not in after[page], page
        assert KEPT in after[page] or page == "story", page
    assert session_url not in after["home"]
    assert review_url not in after["progress"] and WRONG_FIRST not in after["csv"]
    assert len(after["csv"].splitlines()) == 2
    assert after["chart_points"] == [(records["first_review"].pk, levels[0].label)]
    assert (after["dashboard_sessions"], after["dashboard_firsts"]) == (1, 0)
    assert after["summary_sessions"] == 1
    assert after["story_sessions"] == 1 and after["story_progress"] == [(levels[0].label, levels[0].label)]
    assert after["catalogue_count"] == 1 and after["home_week_count"] == 1
    assert WRONG_FIRST not in after["suggestions"]

    # Still in the audit trail: when each was saved, and who withdrew it, when and why.
    trail = AuditEntry.objects.filter(learner_id=world.mine.pk)
    assert trail.filter(action="session.created", target_id=wrong.pk).exists()
    assert trail.filter(action="review.created", target_id=wrong_review.pk).exists()
    withdrawn = trail.get(action="session.withdraw", target_id=wrong.pk)
    assert withdrawn.actor_id == world.coordinator.user_id
    assert withdrawn.detail["reason"] == "Logged for the wrong person"
    assert trail.get(action="review.withdraw", target_id=wrong_review.pk).detail["reason"] == (
        "Reviewed the wrong pupil"
    )
    # And co-ordinators, who read the audit trail, can still open the record to see why it was withdrawn.
    login(client, world.coordinator)
    page = shown(client.get(session_url))
    assert "Withdrawn by" in page and "Logged for the wrong person" in page


@pytest.mark.django_db
def test_a_withdrawn_sessions_video_clips_and_codings_go_with_it(world):
    from attunement.codings.policies import coding_pass_policy
    from attunement.reflection.policies import video_policy
    from attunement.reflection.video_selectors import library_clips

    for purpose in ("video", "training"):
        _agree(world.mine, purpose)
    session = services.session_record(actor=world.practitioner, learner=world.mine, details=details()).session
    video, clip, coding_pass = filmed_clipped_and_coded(session, by=world.practitioner)
    for member in (world.practitioner, world.coordinator):
        assert video_policy.scope(member).filter(pk=video.pk).exists()
        assert coding_pass_policy.scope(member).filter(pk=coding_pass.pk).exists()
    assert clip in library_clips(world.coordinator)

    services.session_withdraw(actor=world.coordinator, session=session, reason="Wrong person")
    for member in (world.practitioner, world.coordinator):
        assert not video_policy.scope(member).filter(pk=video.pk).exists()
        assert not coding_pass_policy.scope(member).filter(pk=coding_pass.pk).exists()
    assert clip not in library_clips(world.coordinator)


@pytest.mark.django_db
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(withdrawn=st.lists(st.booleans(), min_size=1, max_size=6))
def test_every_count_of_sessions_equals_the_sessions_not_withdrawn(world, withdrawn):
    """Whatever sessions are withdrawn, each count is the number of sessions that were not."""
    mina = world.mine
    Session.every_record.filter(learner=mina).delete()
    fundamental = Fundamental.objects.filter(organisation=world.school).first()
    for gone in withdrawn:
        session = services.session_record(
            actor=world.practitioner, learner=mina, details=details(fundamental_ids=[fundamental.pk])
        ).session
        if gone:
            services.session_withdraw(actor=world.practitioner, session=session, reason="test")
    kept = withdrawn.count(False)
    period = Period(since=timezone.localdate() - timedelta(days=7), until=timezone.localdate())
    # No later than the sessions' own day, even just after midnight on a Monday.
    week = timezone.localdate(timezone.now() - timedelta(minutes=30))
    assert dashboard.ends(actor=world.coordinator, scope=dashboard.Scope(), period=period)["sessions"] == kept
    assert sum(w["count"] for w in selectors.weekly_session_counts(learner=mina)) == kept
    assert selectors.sessions_per_learner_since(learners=[mina], since=week).get(mina.pk, 0) == kept
    furthest = selectors.learners_furthest_from_target(actor=world.coordinator, since=week, limit=50)
    assert next(p.this_week for p in furthest if p == mina) == kept
    seen = selectors.fundamentals_seen(actor=world.coordinator, learner=mina, since=week)
    assert next(row["count"] for row in seen if row["name"] == fundamental.name) == kept
    catalogue = selectors.fundamentals_catalogue(actor=world.coordinator)
    assert next(f.times_seen for f in catalogue if f == fundamental) == kept
    assert reports.person_story(actor=world.coordinator, learner=mina, period=period)["sessions"] == kept
    assert len(selectors.family_session_summaries(actor=world.members[Role.FAMILY], learner=mina)) == kept

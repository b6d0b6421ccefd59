import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attunement.organisations.models import Role
from attunement.practice import selectors, services
from attunement.practice.models import Fundamental, ObservedBehaviour, Session
from attunement.practice.services import RatingInput, session_record

from ..conftest import details


def fundamentals_of(organisation, n=2):
    return list(Fundamental.objects.filter(organisation=organisation).order_by("position")[:n])


@pytest.mark.django_db
class TestRecordingASession:
    def test_a_full_session_is_saved_with_everything_the_practitioner_chose(self, world):
        f1, f2 = fundamentals_of(world.school)
        recorded = session_record(
            actor=world.practitioner,
            learner=world.mine,
            details=details(
                fundamental_ids=[f1.pk, f2.pk],
                phases=["tuning_in", "turn_taking"],
                techniques=["vocal_echo"],
                behaviours=[("Copied my hum", "new"), ("Rocked", "typical"), ("   ", "rare")],
                enjoyment=3,
                ending="had_enough",
                what_happened="Lovely turn-taking.",
            ),
        )
        session = recorded.session
        assert not recorded.already_saved
        assert set(session.fundamentals.all()) == {f1, f2}
        assert list(session.partners.all()) == [world.practitioner.user]  # defaults to me
        assert [(b.description, b.novelty) for b in session.behaviours.all()] == [
            ("Copied my hum", "new"),
            ("Rocked", "typical"),
        ]
        assert session.has_new_behaviour
        assert session.recorded_by == world.practitioner.user

    @pytest.mark.parametrize(
        ("change", "field", "words"),
        [
            ({"started_at": timezone.now() + timedelta(hours=2)}, "started_at", "in the future"),
            ({"minutes": 0}, "minutes", "at least 1"),
            ({"minutes": -5}, "minutes", "at least 1"),
            ({"minutes": 900}, "minutes", "more than five hours"),
            ({"minutes": 75}, "minutes", "really lasted this long"),
            ({"ending": "partner_ended"}, "ending_reason", "say why"),
            ({"enjoyment": 7}, "enjoyment", "three faces"),
            ({"behaviours": [("Smiled", "sometimes")]}, "behaviours", "typical, rarely seen"),
        ],
    )
    def test_bad_input_is_explained_in_plain_words_and_saves_nothing(self, world, change, field, words):
        with pytest.raises(ValidationError) as caught:
            session_record(actor=world.practitioner, learner=world.mine, details=details(**change))
        assert words in " ".join(caught.value.message_dict[field])
        assert Session.objects.count() == 0
        assert ObservedBehaviour.objects.count() == 0

    def test_a_long_session_is_saved_once_confirmed(self, world):
        recorded = session_record(
            actor=world.practitioner, learner=world.mine, details=details(minutes=75, long_session_confirmed=True)
        )
        assert recorded.session.minutes == 75

    def test_a_retired_fundamental_is_refused_by_name(self, world):
        fundamental = fundamentals_of(world.school, 1)[0]
        services.fundamental_set_retired(actor=world.coordinator, fundamental=fundamental, retired=True)
        with pytest.raises(ValidationError) as caught:
            session_record(
                actor=world.practitioner, learner=world.mine, details=details(fundamental_ids=[fundamental.pk])
            )
        assert fundamental.name in caught.value.message_dict["fundamentals"][0]
        assert Session.objects.count() == 0

    def test_another_organisations_fundamental_or_partner_is_refused(self, world):
        theirs = fundamentals_of(world.other, 1)[0]
        with pytest.raises(ValidationError):
            session_record(actor=world.practitioner, learner=world.mine, details=details(fundamental_ids=[theirs.pk]))
        with pytest.raises(ValidationError):
            session_record(
                actor=world.practitioner,
                learner=world.mine,
                details=details(partner_ids=[world.other_coordinator.user_id]),
            )
        assert Session.objects.count() == 0

    @pytest.mark.parametrize("who", ["practitioner_unassigned", "family", "external", "foreign"])
    def test_someone_who_may_not_record_for_this_person_is_refused(self, world, who):
        actor, learner = {
            "practitioner_unassigned": (world.practitioner, world.unassigned),
            "family": (world.members[Role.FAMILY], world.mine),
            "external": (world.members[Role.EXTERNAL], world.mine),
            "foreign": (world.coordinator, world.foreign),
        }[who]
        with pytest.raises(PermissionDenied):
            session_record(actor=actor, learner=learner, details=details())
        assert Session.objects.count() == 0

    def test_posting_the_same_form_twice_saves_once(self, world):
        key = uuid.uuid4()
        first = session_record(actor=world.practitioner, learner=world.mine, details=details(), submission_key=key)
        again = session_record(actor=world.practitioner, learner=world.mine, details=details(), submission_key=key)
        assert again.already_saved and again.session.pk == first.session.pk
        assert Session.objects.count() == 1


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(minutes=st.integers(min_value=-10_000, max_value=10_000), confirmed=st.booleans())
def test_any_duration_is_either_saved_as_given_or_refused_with_nothing_saved(world, minutes, confirmed):
    before = Session.objects.count()
    try:
        recorded = session_record(
            actor=world.practitioner,
            learner=world.mine,
            details=details(minutes=minutes, long_session_confirmed=confirmed),
        )
    except ValidationError as error:
        assert Session.objects.count() == before
        assert "minutes" in error.message_dict
        assert not (1 <= minutes <= 60) and not (confirmed and 60 < minutes <= 300)
    else:
        assert recorded.session.minutes == minutes
        assert 1 <= minutes <= 60 or (confirmed and minutes <= 300)


@pytest.mark.django_db
class TestCatalogue:
    def test_new_organisations_get_the_default_fundamentals(self, world):
        names = list(Fundamental.objects.filter(organisation=world.school).values_list("name", flat=True))
        assert len(names) == 17
        assert names[0] == "Enjoying being with another person"
        assert "Trust and empathy" in names

    def test_rename_and_retire_keep_the_history_of_past_sessions(self, world):
        fundamental = fundamentals_of(world.school, 1)[0]
        session = session_record(
            actor=world.practitioner, learner=world.mine, details=details(fundamental_ids=[fundamental.pk])
        ).session
        services.fundamental_rename(actor=world.coordinator, fundamental=fundamental, name="Enjoying company")
        services.fundamental_set_retired(actor=world.coordinator, fundamental=fundamental, retired=True)
        assert [f.name for f in session.fundamentals.all()] == ["Enjoying company"]
        assert fundamental not in selectors.fundamentals_in_use(world.school)
        services.fundamental_set_retired(actor=world.coordinator, fundamental=fundamental, retired=False)
        assert fundamental in selectors.fundamentals_in_use(world.school)

    def test_only_leaders_change_the_catalogue_and_names_stay_unique(self, world):
        with pytest.raises(PermissionDenied):
            services.fundamental_add(actor=world.practitioner, name="Waiting", area="communication")
        with pytest.raises(ValidationError, match="already"):
            services.fundamental_add(actor=world.coordinator, name="trust AND empathy", area="emotional")
        with pytest.raises(ValidationError, match="name"):
            services.fundamental_add(actor=world.coordinator, name="   ", area="emotional")
        added = services.fundamental_add(actor=world.coordinator, name="  Joint   attention ", area="communication")
        assert added.name == "Joint attention"
        with pytest.raises(PermissionDenied):
            services.fundamental_rename(actor=world.other_coordinator, fundamental=added, name="Mine now")


@pytest.mark.django_db
class TestReviewsAndTimeline:
    def test_a_review_links_evidence_and_draws_a_series_per_fundamental(self, world):
        f1, f2 = fundamentals_of(world.school)
        session = session_record(
            actor=world.practitioner, learner=world.mine, details=details(fundamental_ids=[f1.pk])
        ).session
        scale = world.school.progress_scale
        levels = list(scale.levels.all())
        assert [lv.label for lv in levels] == ["Not yet seen", "Emerging", "Established", "Generalising"]
        today = timezone.localdate()
        for days_ago, level in ((120, levels[0]), (1, levels[2])):
            services.review_record(
                actor=world.practitioner,
                learner=world.mine,
                scale=scale,
                reviewed_on=today - timedelta(days=days_ago),
                ratings=[RatingInput(level_id=level.pk, fundamental_id=f1.pk, evidence_ids=[session.pk])],
            )
        series = {
            s["name"]: s for s in selectors.progress_series(actor=world.practitioner, learner=world.mine, scale=scale)
        }
        assert [p["label"] for p in series[f1.name]["points"]] == ["Not yet seen", "Established"]
        assert series[f2.name]["points"] == []

    def test_a_review_refuses_evidence_from_someone_else_and_a_future_date(self, world):
        scale = world.school.progress_scale
        f1 = fundamentals_of(world.school, 1)[0]
        theirs = session_record(actor=world.coordinator, learner=world.unassigned, details=details()).session
        rating = RatingInput(level_id=scale.levels.first().pk, fundamental_id=f1.pk, evidence_ids=[theirs.pk])
        with pytest.raises(ValidationError, match="own sessions"):
            services.review_record(
                actor=world.practitioner,
                learner=world.mine,
                scale=scale,
                reviewed_on=timezone.localdate(),
                ratings=[rating],
            )
        with pytest.raises(ValidationError, match="future"):
            services.review_record(
                actor=world.practitioner,
                learner=world.mine,
                scale=scale,
                reviewed_on=timezone.localdate() + timedelta(days=3),
                ratings=[RatingInput(level_id=scale.levels.first().pk, fundamental_id=f1.pk)],
            )

    def test_engagement_model_rates_the_five_areas(self, world):
        scale = world.school.scales.get(preset="engagement_model")
        items = selectors.rated_items(scale=scale, organisation=world.school)
        assert [i["name"] for i in items] == ["Exploration", "Realisation", "Anticipation", "Persistence", "Initiation"]
        review = services.review_record(
            actor=world.coordinator,
            learner=world.mine,
            scale=scale,
            reviewed_on=timezone.localdate(),
            ratings=[RatingInput(level_id=scale.levels.last().pk, area="initiation")],
        )
        assert review.ratings.get().level.label == "Established"

    def test_weekly_counts_compare_with_the_persons_own_target(self, world):
        world.mine.weekly_session_target = 2
        world.mine.save()
        now = timezone.now()
        for _ in range(3):
            session_record(actor=world.practitioner, learner=world.mine, details=details(started_at=now))
        session_record(
            actor=world.practitioner, learner=world.mine, details=details(started_at=now - timedelta(weeks=3))
        )
        weeks = selectors.weekly_session_counts(learner=world.mine, weeks=12)
        assert len(weeks) == 12
        assert weeks[-1]["count"] == 3 and weeks[-1]["target"] == 2 and weeks[-1]["met"]
        assert sum(w["count"] for w in weeks) == 4

    def test_timeline_filters_by_partner_fundamental_period_and_new_moments(self, world):
        f1 = fundamentals_of(world.school, 1)[0]
        therapist = world.members[Role.THERAPIST]
        now = timezone.now()
        a = session_record(
            actor=world.practitioner, learner=world.mine, details=details(fundamental_ids=[f1.pk])
        ).session
        b = session_record(
            actor=world.practitioner,
            learner=world.mine,
            details=details(
                partner_ids=[therapist.user_id],
                started_at=now - timedelta(days=40),
                behaviours=[("First ever wave", "new")],
            ),
        ).session

        def timeline(**filters):
            return list(
                selectors.learner_timeline(
                    actor=world.practitioner, learner=world.mine, filters=selectors.TimelineFilter(**filters)
                )
            )

        assert timeline() == [a, b]
        assert timeline(fundamental_id=f1.pk) == [a]
        assert timeline(partner_id=therapist.user_id) == [b]
        assert timeline(since=(now - timedelta(days=7)).date()) == [a]
        assert timeline(until=(now - timedelta(days=30)).date()) == [b]
        assert timeline(new_only=True) == [b]


@pytest.mark.django_db
class TestSavedOnce:
    def test_two_posts_racing_each_other_save_one_session(self, world):
        from attunement.practice.services import _session_create, saved_once

        key = uuid.uuid4()

        def create_after_losing_the_race():
            session_record(actor=world.practitioner, learner=world.mine, details=details(), submission_key=key)
            return _session_create(world.practitioner, world.mine, details(), key)

        record, already_saved = saved_once(Session, key, world.practitioner.user_id, create_after_losing_the_race)
        assert already_saved and Session.objects.count() == 1 and record.submission_key == key

    def test_someone_elses_form_key_is_refused(self, world):
        key = uuid.uuid4()
        session_record(actor=world.practitioner, learner=world.mine, details=details(), submission_key=key)
        with pytest.raises(PermissionDenied):
            session_record(actor=world.coordinator, learner=world.mine, details=details(), submission_key=key)

    def test_a_review_posted_twice_is_saved_once(self, world):
        from attunement.practice.models import ProgressReview

        scale = world.school.progress_scale
        f1 = fundamentals_of(world.school, 1)[0]
        key = uuid.uuid4()
        for _ in range(2):
            services.review_record(
                actor=world.practitioner,
                learner=world.mine,
                scale=scale,
                reviewed_on=timezone.localdate(),
                ratings=[RatingInput(level_id=scale.levels.first().pk, fundamental_id=f1.pk)],
                submission_key=key,
            )
        assert ProgressReview.objects.count() == 1

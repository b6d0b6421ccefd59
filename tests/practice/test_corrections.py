"""Correcting and withdrawing a saved session or progress review: who may (by role and by time), the history
kept, the audit trail's before and after, and two people correcting the same record at once."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attunement.edits import EditConflict
from attunement.learners.models import Assignment, Plan, PlanOutcome
from attunement.organisations.models import AuditEntry, Role
from attunement.practice import services
from attunement.practice.corrections import changes_between, history
from attunement.practice.models import Correction, Fundamental, ProgressReview, ReviewRating, Session
from attunement.practice.policies import correction_refusal
from attunement.practice.services import RatingInput, SessionDetails

from ..conftest import details


def _log(world, actor, learner=None, **overrides):
    learner = learner or world.mine
    values = {"minutes": 20, "place": "Classroom", **overrides}
    return services.session_record(actor=actor, learner=learner, details=details(**values)).session


def _as_saved(session: Session, **changes) -> SessionDetails:
    """The session's details as the correction form would post them, with `changes` made."""
    values = {
        "started_at": session.started_at,
        "minutes": session.minutes,
        "place": session.place,
        "planned": session.planned,
        "partner_ids": list(session.partners.values_list("pk", flat=True)),
        "phases": list(session.phases),
        "techniques": list(session.techniques),
        "fundamental_ids": list(session.fundamentals.values_list("pk", flat=True)),
        "outcome_ids": list(session.outcomes.values_list("pk", flat=True)),
        "behaviours": [(b.description, b.novelty) for b in session.behaviours.order_by("pk")],
        "enjoyment": session.enjoyment,
        "ending": session.ending,
        "ending_reason": session.ending_reason,
        "what_happened": session.what_happened,
        "significant_moment": session.significant_moment,
        "how_i_did": session.how_i_did,
        "next_time": session.next_time,
    }
    values.update(changes)
    return SessionDetails(**values)


def _age(record, days: float):
    """Pretend the record was saved `days` ago."""
    type(record).every_record.filter(pk=record.pk).update(created_at=timezone.now() - timedelta(days=days))
    record.refresh_from_db()
    return record


# --- Who may ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_person_who_saved_it_may_correct_within_the_window_and_not_after(world):
    session = _log(world, world.practitioner)
    assert correction_refusal(world.practitioner, session) is None
    _age(session, 6.9)
    assert correction_refusal(world.practitioner, session) is None
    _age(session, 7.1)
    refusal = correction_refusal(world.practitioner, session)
    assert "for 7 days after saving it" in refusal and "ask a co-ordinator" in refusal
    with pytest.raises(PermissionDenied):
        services.session_correct(actor=world.practitioner, session=session, details=_as_saved(session, minutes=15))
    session.refresh_from_db()
    assert session.minutes == 20 and not Correction.objects.exists()

    # The organisation sets its own window.
    world.school.correction_days = 30
    world.school.save()
    session = Session.objects.select_related("learner__organisation").get(pk=session.pk)
    assert correction_refusal(world.practitioner, session) is None
    world.school.correction_days = 0
    world.school.save()
    fresh = _log(world, world.practitioner)
    assert "only co-ordinators and administrators" in correction_refusal(world.practitioner, fresh)
    assert correction_refusal(world.coordinator, fresh) is None


@pytest.mark.django_db
def test_coordinators_and_administrators_may_always_correct_others_only_their_own(world):
    session = _age(_log(world, world.practitioner), 400)
    assert correction_refusal(world.coordinator, session) is None
    assert correction_refusal(world.members[Role.ADMINISTRATOR], session) is None
    for role in (Role.MANAGER, Role.THERAPIST, Role.FAMILY, Role.EXTERNAL):
        assert correction_refusal(world.members[role], session) is not None, role
    assert correction_refusal(world.other_coordinator, session) is not None
    # A manager corrects what they saved themselves, like anyone on the staff, within the window.
    managers = _log(world, world.members[Role.MANAGER], learner=world.unassigned)
    assert correction_refusal(world.members[Role.MANAGER], managers) is None
    assert correction_refusal(world.practitioner, managers) is not None  # cannot even see Una
    # A practitioner no longer assigned to the person cannot correct what they saved for them.
    Assignment.objects.filter(learner=world.mine, user=world.practitioner.user).delete()
    fresh = _log(world, world.coordinator)
    Session.objects.filter(pk=fresh.pk).update(recorded_by=world.practitioner.user)
    fresh = Session.objects.select_related("learner__organisation").get(pk=fresh.pk)
    assert correction_refusal(world.practitioner, fresh) is not None


@pytest.mark.django_db
def test_someone_else_cannot_correct_or_withdraw_it(world):
    session = _log(world, world.practitioner)
    therapist = world.members[Role.THERAPIST]
    with pytest.raises(PermissionDenied):
        services.session_correct(actor=therapist, session=session, details=_as_saved(session, minutes=15))
    with pytest.raises(PermissionDenied):
        services.session_withdraw(actor=therapist, session=session, reason="not mine")
    session.refresh_from_db()
    assert session.minutes == 20 and not session.is_withdrawn
    assert not AuditEntry.objects.filter(action__in=["session.change", "session.withdraw"]).exists()


# --- History and audit ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_correction_keeps_the_earlier_version_and_says_what_changed_in_plain_words(world):
    session = _log(world, world.practitioner)
    version = services.session_edit_token(session)
    result = services.session_correct(
        actor=world.practitioner,
        session=session,
        details=_as_saved(session, minutes=15, place="Hall"),
        version=version,
        reason="typed the wrong number",
    )
    session.refresh_from_db()
    assert (session.minutes, session.place) == (15, "Hall")
    assert [str(c) for c in result.changes] == ["minutes 20 → 15", "place Classroom → Hall"]

    correction = Correction.objects.get(session=session)
    assert correction.kind == "edit" and correction.changed_by == world.practitioner.user
    assert correction.before["minutes"] == 20 and correction.after["minutes"] == 15
    assert correction.before["what happened"] == correction.after["what happened"]  # the whole record, kept

    (line,) = history(session)
    who = str(world.practitioner.user)
    today = f"{timezone.localdate():%-d %b %Y}"
    assert line.sentence == f"Changed by {who} on {today}: minutes 20 → 15; place Classroom → Hall"

    entry = AuditEntry.objects.get(action="session.change")
    assert entry.learner_id == world.mine.pk and entry.target_id == session.pk
    assert entry.detail == {
        "before": {"minutes": 20, "place": "Classroom"},
        "after": {"minutes": 15, "place": "Hall"},
        "reason": "typed the wrong number",
    }


@pytest.mark.django_db
def test_a_wrong_never_seen_before_is_corrected_and_the_session_no_longer_counts_as_new(world):
    session = _log(world, world.practitioner, behaviours=[("Reached for my hand", "new")])
    assert session.has_new_behaviour
    services.session_correct(
        actor=world.practitioner,
        session=session,
        details=_as_saved(session, behaviours=[("Reached for my hand", "typical")]),
    )
    session.refresh_from_db()
    assert not session.has_new_behaviour
    assert [b.novelty for b in session.behaviours.all()] == ["typical"]
    (line,) = history(session)
    assert "behaviours noticed Reached for my hand (never seen before) → Reached for my hand" in line.sentence


@pytest.mark.django_db
def test_a_session_logged_for_the_wrong_person_moves_with_its_history_and_both_people_are_audited(world):
    Assignment.objects.create(learner=world.unassigned, user=world.practitioner.user)
    plan = Plan.objects.create(learner=world.mine, kind="care")
    outcome = PlanOutcome.objects.create(plan=plan, text="Mina's outcome")
    session = _log(world, world.practitioner, outcome_ids=[outcome.pk])
    scale = world.school.progress_scale
    fundamental = Fundamental.objects.filter(organisation=world.school).first()
    review = services.review_record(
        actor=world.practitioner,
        learner=world.mine,
        scale=scale,
        reviewed_on=timezone.localdate(),
        ratings=[
            RatingInput(level_id=scale.levels.first().pk, fundamental_id=fundamental.pk, evidence_ids=[session.pk])
        ],
    )

    result = services.session_correct(
        actor=world.practitioner, session=session, details=_as_saved(session), learner=world.unassigned
    )
    session.refresh_from_db()
    assert session.learner == world.unassigned
    assert result.moved_from == world.mine and result.evidence_removed == 1
    assert not session.outcomes.exists()  # Mina's plan outcome does not follow the session to Una
    assert not ReviewRating.objects.get(review=review).evidence.exists()
    assert world.mine.sessions.count() == 0 and world.unassigned.sessions.count() == 1
    entries = AuditEntry.objects.filter(action="session.change", target_id=session.pk)
    assert set(entries.values_list("learner_id", flat=True)) == {world.mine.pk, world.unassigned.pk}
    assert entries.first().detail["before"]["person"] == "Mina Test"
    assert entries.first().detail["after"]["person"] == "Una Test"
    assert "person Mina Test → Una Test" in history(session)[0].sentence


@pytest.mark.django_db
def test_a_session_moves_only_to_someone_the_editor_logs_for_and_never_with_a_video(world):
    from attunement.reflection.models import SessionVideo

    session = _log(world, world.practitioner)
    with pytest.raises(PermissionDenied):  # Una is not assigned to this practitioner
        services.session_correct(
            actor=world.practitioner, session=session, details=_as_saved(session), learner=world.unassigned
        )
    with pytest.raises(PermissionDenied):  # nor can anyone move it to another organisation's person
        services.session_correct(
            actor=world.coordinator, session=session, details=_as_saved(session), learner=world.foreign
        )
    SessionVideo.objects.create(
        session=session,
        uploaded_by=world.practitioner,
        folder="v1",
        original="v/o.mp4",
        size_bytes=1,
        duration=10.0,
        width=640,
        height=360,
    )
    with pytest.raises(ValidationError) as refused:
        services.session_correct(
            actor=world.coordinator, session=session, details=_as_saved(session), learner=world.unassigned
        )
    assert "has a video" in str(refused.value)
    session.refresh_from_db()
    assert session.learner == world.mine and not Correction.objects.exists()


@pytest.mark.django_db
def test_the_quick_logs_own_checks_apply_to_a_correction(world):
    session = _log(world, world.practitioner)
    with pytest.raises(ValidationError) as refused:
        services.session_correct(
            actor=world.practitioner,
            session=session,
            details=_as_saved(session, started_at=timezone.now() + timedelta(days=2)),
        )
    assert "in the future" in str(refused.value)
    with pytest.raises(ValidationError):
        services.session_correct(actor=world.practitioner, session=session, details=_as_saved(session, minutes=0))
    session.refresh_from_db()
    assert session.minutes == 20 and not Correction.objects.exists()


@pytest.mark.django_db
def test_what_the_session_already_had_may_stay_a_retired_fundamental_and_a_long_session(world):
    fundamental = Fundamental.objects.filter(organisation=world.school).first()
    session = _log(world, world.practitioner, minutes=90, long_session_confirmed=True, fundamental_ids=[fundamental.pk])
    services.fundamental_set_retired(actor=world.coordinator, fundamental=fundamental, retired=True)
    result = services.session_correct(
        actor=world.practitioner, session=session, details=_as_saved(session, place="Garden")
    )
    assert [str(c) for c in result.changes] == ["place Classroom → Garden"]
    session.refresh_from_db()
    assert list(session.fundamentals.all()) == [fundamental]


# --- Withdrawing --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_withdrawing_needs_a_reason_and_keeps_the_record_out_of_every_count(world):
    session = _log(world, world.practitioner)
    with pytest.raises(ValidationError) as refused:
        services.session_withdraw(actor=world.practitioner, session=session, reason="   ")
    assert "Please say why" in str(refused.value)
    assert Session.objects.filter(pk=session.pk).exists()

    services.session_withdraw(actor=world.practitioner, session=session, reason="logged for the wrong person")
    assert not Session.objects.filter(pk=session.pk).exists()
    kept = Session.every_record.get(pk=session.pk)
    assert kept.withdrawn_reason == "logged for the wrong person" and kept.withdrawn_by == world.practitioner.user
    (line,) = history(kept)
    who = str(world.practitioner.user)
    assert line.sentence == f"Withdrawn by {who} on {timezone.localdate():%-d %b %Y}: logged for the wrong person"
    entry = AuditEntry.objects.get(action="session.withdraw")
    assert entry.detail["reason"] == "logged for the wrong person" and entry.learner_id == world.mine.pk
    # Sent twice (a double tap): withdrawn once. And a withdrawn session can no longer be changed.
    assert services.session_withdraw(actor=world.practitioner, session=kept, reason="again").already_saved
    assert Correction.objects.filter(kind="withdraw").count() == 1
    with pytest.raises(PermissionDenied):
        services.session_correct(actor=world.coordinator, session=kept, details=_as_saved(kept, minutes=5))


# --- Two people at once -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_correction_made_on_a_stale_form_is_refused_and_the_first_is_kept(world):
    session = _log(world, world.practitioner)
    opened = services.session_edit_token(session)  # two tabs open on the same session
    services.session_correct(
        actor=world.coordinator, session=session, details=_as_saved(session, minutes=25), version=opened
    )
    session.refresh_from_db()
    with pytest.raises(EditConflict):
        services.session_correct(
            actor=world.practitioner, session=session, details=_as_saved(session, minutes=15), version=opened
        )
    session.refresh_from_db()
    assert session.minutes == 25 and Correction.objects.count() == 1


@pytest.mark.django_db
def test_the_same_correction_sent_twice_is_saved_once(world):
    session = _log(world, world.practitioner)
    opened = services.session_edit_token(session)
    posted = _as_saved(session, minutes=15)
    first = services.session_correct(actor=world.practitioner, session=session, details=posted, version=opened)
    again = services.session_correct(actor=world.practitioner, session=session, details=posted, version=opened)
    assert not first.already_saved and again.already_saved
    assert Correction.objects.count() == 1
    assert AuditEntry.objects.filter(action="session.change").count() == 1


# --- Progress reviews ---------------------------------------------------------------------------------------


def _review(world, actor, levels=(0, 1)):
    scale = world.school.progress_scale
    items = list(Fundamental.objects.filter(organisation=world.school)[:2])
    level_list = list(scale.levels.all())
    ratings = [RatingInput(level_id=level_list[i].pk, fundamental_id=f.pk) for f, i in zip(items, levels, strict=True)]
    review = services.review_record(
        actor=actor, learner=world.mine, scale=scale, reviewed_on=timezone.localdate(), ratings=ratings
    )
    return review, items, level_list


@pytest.mark.django_db
def test_a_review_is_corrected_with_its_history_and_audit(world):
    review, (first, second), levels = _review(world, world.practitioner)
    offered = {f"fundamental:{f.pk}" for f in Fundamental.objects.filter(organisation=world.school)}
    result = services.review_correct(
        actor=world.practitioner,
        review=review,
        reviewed_on=review.reviewed_on,
        ratings=[RatingInput(level_id=levels[2].pk, fundamental_id=first.pk)],  # second left unrated now
        offered=offered,
        summary="Much more turn-taking.",
        version=services.review_edit_token(review),
    )
    assert {r.fundamental_id: r.level_id for r in ReviewRating.objects.filter(review=review)} == {
        first.pk: levels[2].pk
    }
    changes = [str(c) for c in result.changes]
    assert f"{first.name} {levels[0].label} → {levels[2].label}" in changes
    assert f"{second.name} {levels[1].label} → nothing" in changes
    assert "summary nothing → Much more turn-taking." in changes
    entry = AuditEntry.objects.get(action="review.change")
    assert entry.detail["before"][first.name] == levels[0].label
    assert entry.detail["after"][first.name] == levels[2].label
    assert history(review)[0].sentence.startswith(f"Changed by {world.practitioner.user} on ")


@pytest.mark.django_db
def test_a_review_correction_on_a_stale_form_is_refused(world):
    review, (first, _), levels = _review(world, world.practitioner)
    opened = services.review_edit_token(review)
    offered = {f"fundamental:{first.pk}"}
    services.review_correct(
        actor=world.coordinator,
        review=review,
        reviewed_on=review.reviewed_on,
        ratings=[RatingInput(level_id=levels[3].pk, fundamental_id=first.pk)],
        offered=offered,
        version=opened,
    )
    with pytest.raises(EditConflict):
        services.review_correct(
            actor=world.practitioner,
            review=review,
            reviewed_on=review.reviewed_on,
            ratings=[RatingInput(level_id=levels[2].pk, fundamental_id=first.pk)],
            offered=offered,
            version=opened,
        )
    assert ReviewRating.objects.get(review=review, fundamental=first).level_id == levels[3].pk


@pytest.mark.django_db
def test_a_review_is_withdrawn_only_by_those_allowed_and_with_a_reason(world):
    review, _, _ = _review(world, world.practitioner)
    with pytest.raises(PermissionDenied):
        services.review_withdraw(actor=world.members[Role.THERAPIST], review=review, reason="no")
    _age(review, 10)
    with pytest.raises(PermissionDenied):
        services.review_withdraw(actor=world.practitioner, review=review, reason="wrong person")
    with pytest.raises(ValidationError):
        services.review_withdraw(actor=world.coordinator, review=review, reason="")
    services.review_withdraw(actor=world.coordinator, review=review, reason="wrong person")
    assert not ProgressReview.objects.filter(pk=review.pk).exists()
    assert AuditEntry.objects.get(action="review.withdraw").detail["reason"] == "wrong person"


# --- The plain-words history says exactly what changed --------------------------------------------------------

words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)
values = st.one_of(words, st.integers(0, 300), st.lists(words, max_size=3))


@given(before=st.dictionaries(words, values, max_size=6), after=st.dictionaries(words, values, max_size=6))
def test_the_history_names_every_changed_field_and_no_other(before, after):
    changed = {c.field for c in changes_between(before, after)}
    expected = {k for k in before.keys() | after.keys() if before.get(k, "") != after.get(k, "")}
    assert changed == expected
    assert changes_between(before, before) == []


@pytest.mark.django_db
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    minutes=st.integers(1, 60),
    place=st.text(alphabet="abcdefghij ", max_size=10),
    planned=st.booleans(),
    enjoyment=st.sampled_from([None, 1, 2, 3]),
    what=st.text(alphabet="xyz .", max_size=10),
)
def test_a_correction_records_exactly_the_fields_that_changed(world, minutes, place, planned, enjoyment, what):
    session = _log(world, world.practitioner)
    posted = _as_saved(session, minutes=minutes, place=place, planned=planned, enjoyment=enjoyment, what_happened=what)
    result = services.session_correct(actor=world.practitioner, session=session, details=posted)
    session.refresh_from_db()
    saved = {
        "minutes": session.minutes,
        "place": session.place,
        "planned": session.planned,
        "enjoyment": session.enjoyment,
        "what_happened": session.what_happened,
    }
    assert saved == {
        "minutes": minutes,
        "place": " ".join(place.split()),
        "planned": planned,
        "enjoyment": enjoyment,
        "what_happened": what.strip(),
    }
    expected = {
        name
        for name, differs in {
            "minutes": minutes != 20,
            "place": " ".join(place.split()) != "Classroom",
            "planned or in the moment": planned,
            "enjoyment": enjoyment is not None,
            "what happened": what.strip() != "",
        }.items()
        if differs
    }
    assert {c.field for c in result.changes} == expected
    if expected:
        correction = Correction.objects.filter(session=session).last()
        assert {c.field for c in changes_between(correction.before, correction.after)} == expected
    else:
        assert not Correction.objects.filter(session=session).exists()


@pytest.mark.django_db
def test_a_rating_the_form_no_longer_shows_is_kept_when_the_review_is_corrected(world):
    review, (first, second), levels = _review(world, world.practitioner)
    services.fundamental_set_retired(actor=world.coordinator, fundamental=second, retired=True)
    in_use = {f"fundamental:{f.pk}" for f in Fundamental.objects.filter(organisation=world.school, retired_at=None)}
    result = services.review_correct(
        actor=world.practitioner,
        review=review,
        reviewed_on=review.reviewed_on,
        ratings=[RatingInput(level_id=levels[1].pk, fundamental_id=first.pk)],
        offered=in_use,
    )
    assert [str(c) for c in result.changes] == [f"{first.name} {levels[0].label} → {levels[1].label}"]
    kept = ReviewRating.objects.get(review=review, fundamental=second)
    assert kept.level_id == levels[1].pk  # the retired Fundamental's rating is as it was


@pytest.mark.django_db
def test_only_those_who_see_withdrawn_records_bring_one_back_and_it_counts_again(world):
    review, _, _ = _review(world, world.practitioner)
    services.review_withdraw(actor=world.practitioner, review=review, reason="Wrong pupil")
    kept = ProgressReview.every_record.get(pk=review.pk)
    for member in (world.practitioner, world.members[Role.MANAGER], world.other_coordinator):
        with pytest.raises(PermissionDenied):
            services.record_restore(actor=member, record=kept, reason="mistake")
    with pytest.raises(ValidationError):
        services.record_restore(actor=world.coordinator, record=kept, reason=" ")
    assert not ProgressReview.objects.filter(pk=review.pk).exists()
    services.record_restore(actor=world.members[Role.ADMINISTRATOR], record=kept, reason="It was right")
    assert ProgressReview.objects.filter(pk=review.pk).exists()
    assert [line.sentence.split(" by ")[0] for line in history(kept)] == ["Withdrawn", "Brought back"]
    assert AuditEntry.objects.get(action="review.restored").detail["after"] == {"status": "current"}
    with pytest.raises(PermissionDenied):  # not withdrawn now: nothing to bring back
        services.record_restore(actor=world.coordinator, record=kept, reason="again")

"""Places where a withdrawn session or review could slip through a lookup that does not go through the manager
that leaves it out, or where something that must still see it (the person's own copy) could lose it."""

from datetime import timedelta

from django.utils import timezone

from attunement.practice import services
from attunement.practice.models import Fundamental, Session
from attunement.practice.services import RatingInput
from attunement.privacy.export import person_data

from ..conftest import details


def _session(world, learner, text, minutes_ago=30):
    fundamental = Fundamental.objects.filter(organisation=world.school).first()
    return services.session_record(
        actor=world.practitioner,
        learner=learner,
        details=details(
            started_at=timezone.now() - timedelta(minutes=minutes_ago),
            what_happened=text,
            fundamental_ids=[fundamental.pk],
        ),
    ).session


def _review_with_evidence(world, learner, evidence):
    fundamental = Fundamental.objects.filter(organisation=world.school).first()
    scale = world.school.progress_scale
    level = scale.levels.first()
    return services.review_record(
        actor=world.practitioner,
        learner=learner,
        scale=scale,
        reviewed_on=timezone.localdate(),
        ratings=[RatingInput(level_id=level.pk, fundamental_id=fundamental.pk, evidence_ids=[s.pk for s in evidence])],
    )


def test_the_persons_copy_keeps_a_withdrawn_session_as_evidence_of_a_review(world):
    """The subject access export holds every record, withdrawn ones too: a review's evidence still names the
    withdrawn session it pointed to (it is still held and still linked)."""
    learner = world.mine
    kept = _session(world, learner, "Kept", minutes_ago=90)
    wrong = _session(world, learner, "Logged for the wrong person")
    _review_with_evidence(world, learner, [kept, wrong])
    services.session_withdraw(actor=world.coordinator, session=wrong, reason="Logged for the wrong person")
    assert not Session.objects.filter(pk=wrong.pk).exists()

    data = person_data(learner)

    assert {s["id"] for s in data["sessions"]} >= {kept.pk, wrong.pk}
    (review,) = data["progress_reviews"]
    (rating,) = review["ratings"]
    assert sorted(rating["evidence_session_ids"]) == sorted([kept.pk, wrong.pk])

"""Places where a withdrawn session or review could slip through a lookup that does not go through the manager
that leaves it out, or where something that must still see it (the person's own copy) could lose it."""

from datetime import timedelta

from django.utils import timezone

from attunement.practice import services
from attunement.practice.models import Fundamental, Session
from attunement.practice.services import RatingInput
from attunement.records.export import person_data

from ..conftest import details, login, shown
from ..reflection.videos import consent, filmed_clipped_and_coded


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


def test_the_same_quick_log_posted_again_after_its_session_was_withdrawn_is_not_an_error(world, client):
    """A form sent again (the back button, a retry on a poor connection) after its session was withdrawn: the
    practitioner is told it was already saved and withdrawn, nothing is saved again, and no error page."""
    from django.urls import reverse

    from .test_views import quick_log_post

    login(client, world.practitioner)
    url = reverse("practice:log_session", kwargs={"learner_id": world.mine.pk})
    form = quick_log_post()
    assert "saved" in shown(client.post(url, form, follow=True))
    session = Session.objects.get(submission_key=form["submission_key"])
    services.session_withdraw(actor=world.practitioner, session=session, reason="Logged for the wrong person")

    response = client.post(url, form, follow=True)

    assert response.status_code == 200
    assert Session.every_record.filter(learner=world.mine).count() == 1
    assert Session.objects.filter(learner=world.mine).count() == 0
    assert "already saved and then withdrawn" in shown(response)


def test_the_same_review_form_posted_again_after_it_was_withdrawn_saves_nothing(world, client):
    import uuid

    from django.urls import reverse

    from attunement.practice.models import ProgressReview

    login(client, world.practitioner)
    fundamental = Fundamental.objects.filter(organisation=world.school).first()
    level = world.school.progress_scale.levels.first()
    url = reverse("practice:review_create", kwargs={"learner_id": world.mine.pk})
    form = {
        "submission_key": str(uuid.uuid4()),
        "reviewed_on": timezone.localdate().isoformat(),
        f"fundamental:{fundamental.pk}": str(level.pk),
    }
    assert "The progress review is saved." in shown(client.post(url, form, follow=True))
    review = ProgressReview.objects.get(learner=world.mine)
    services.review_withdraw(actor=world.practitioner, review=review, reason="Wrong scale")

    response = client.post(url, form, follow=True)

    assert response.status_code == 200
    assert ProgressReview.every_record.filter(learner=world.mine).count() == 1
    assert not ProgressReview.objects.filter(learner=world.mine).exists()
    page = shown(response)
    assert "already saved and then withdrawn" in page and "The progress review is saved." not in page


def test_erasing_a_person_deletes_their_withdrawn_sessions_and_reviews_too(world):
    """Erasure removes everything about the person: withdrawn records are held data like any other."""
    from attunement.organisations.models import Role
    from attunement.practice.models import ObservedBehaviour, ProgressReview
    from attunement.records.services import learner_erase

    learner = world.mine
    session = services.session_record(
        actor=world.practitioner,
        learner=learner,
        details=details(what_happened="Logged for the wrong person", behaviours=[("Hummed", "new")]),
    ).session
    review = _review_with_evidence(world, learner, [session])
    services.session_withdraw(actor=world.coordinator, session=session, reason="Wrong person")
    services.review_withdraw(actor=world.coordinator, review=review, reason="Wrong person")

    learner_erase(actor=world.members[Role.ADMINISTRATOR], learner=learner, typed_name=learner.full_name)

    assert not Session.every_record.filter(pk=session.pk).exists()
    assert not ProgressReview.every_record.filter(pk=review.pk).exists()
    assert not ObservedBehaviour.objects.filter(session_id=session.pk).exists()


def test_the_pages_of_a_withdrawn_sessions_video_clip_and_codings_answer_not_found(world, client):
    """Someone following an old link (a bookmark, a shared video, the clip library) to what belonged to a
    withdrawn session gets "not found", never an error page, whoever they are."""
    from django.urls import reverse

    for purpose in ("video", "training"):
        consent(world.mine, purpose)
    session = _session(world, world.mine, "Filmed")
    video, clip, coding_pass = filmed_clipped_and_coded(session, by=world.practitioner)
    on_session = {"learner_id": world.mine.pk, "session_id": session.pk}
    urls = [
        reverse("reflection:passes", kwargs=on_session),
        reverse("reflection:pass", kwargs={**on_session, "pass_id": coding_pass.pk}),
        reverse("reflection:agreement", kwargs=on_session),
        reverse("reflection:video_add", kwargs=on_session),
        reverse("reflection:video", kwargs={"video_id": video.pk}),
        reverse("reflection:library_clip", kwargs={"clip_id": clip.pk}),
    ]
    login(client, world.practitioner)
    assert [client.get(url).status_code for url in urls] == [200] * len(urls)

    services.session_withdraw(actor=world.coordinator, session=session, reason="Wrong person")

    for member in (world.practitioner, world.coordinator):
        login(client, member)
        assert [client.get(url).status_code for url in urls] == [404] * len(urls), member.role

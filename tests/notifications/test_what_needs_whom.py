"""Who is told of what: each kind comes from the other apps' own rules, and nobody hears of a person or a
record the pages would not show them."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from attunement.means.services import ActionInput, supervision_meeting_record, training_completion_record
from attunement.notifications.models import Channel, Kind, Preference
from attunement.notifications.selectors import items_for
from attunement.organisations.models import Role
from attunement.practice.services import home_observation_add, session_record
from attunement.reflection.models import SessionVideo
from attunement.reflection.video_services import comment_add, video_share

from ..conftest import details
from .conftest import consent


def today() -> date:
    return timezone.localdate()


def texts(actor, kind=None):
    return [item.text for item in items_for(actor) if kind is None or item.kind == kind]


def a_video(world, learner, uploader):
    session = session_record(actor=uploader, learner=learner, details=details()).session
    return SessionVideo.objects.create(
        session=session,
        uploaded_by=uploader,
        folder=f"notify{SessionVideo.objects.count()}",
        original="videos/notify/original.mp4",
        size_bytes=1,
        duration=30.0,
        width=640,
        height=360,
        status="ready",
    )


@pytest.mark.django_db
def test_a_note_from_home_reaches_the_staff_who_see_the_person_and_nobody_else(world):
    family = world.members[Role.FAMILY]
    home_observation_add(actor=family, learner=world.mine, observed_on=today(), text="He sang in the bath")
    noticed = f"{today():%A} {today().day} {today():%B}"
    assert texts(world.practitioner, Kind.HOME_NOTES) == [f"A note from home about Mina Test (noticed {noticed})"]
    assert texts(world.members[Role.THERAPIST], Kind.HOME_NOTES)
    assert texts(world.coordinator, Kind.HOME_NOTES)  # co-ordinators see every person of the organisation
    assert texts(world.other_coordinator, Kind.HOME_NOTES) == []
    assert texts(family, Kind.HOME_NOTES) == []  # the one who wrote it is not told of it
    assert all("sang" not in text for text in texts(world.practitioner))
    # a practitioner not linked to the person hears nothing of them
    stranger = world.member(world.school, Role.PRACTITIONER, name="stranger")
    assert texts(stranger, Kind.HOME_NOTES) == []


@pytest.mark.django_db
def test_a_note_from_home_stops_reaching_a_practitioner_whose_link_ended(world):
    home_observation_add(actor=world.members[Role.FAMILY], learner=world.mine, observed_on=today(), text="Calm day")
    world.mine.assignments.filter(user=world.practitioner.user).update(ends_on=today() - timedelta(days=1))
    assert texts(world.practitioner, Kind.HOME_NOTES) == []


@pytest.mark.django_db
def test_agreed_actions_reach_their_owner_when_due_soon_or_overdue(world):
    supervision_meeting_record(
        actor=world.coordinator,
        supervisor=world.coordinator,
        supervisee=world.practitioner,
        met_on=today() - timedelta(days=20),
        actions=[
            ActionInput(text="Watch the film of Tuesday", owner=world.practitioner, due_on=today() - timedelta(days=2)),
            ActionInput(text="Try the drum", owner=world.practitioner, due_on=today() + timedelta(days=3)),
            ActionInput(text="Far away", owner=world.practitioner, due_on=today() + timedelta(days=40)),
            ActionInput(text="Book the room", owner=world.coordinator, due_on=today() - timedelta(days=1)),
        ],
    )
    mine = [item for item in items_for(world.practitioner) if item.kind == Kind.ACTIONS]
    assert [item.text.split(": ", 1)[1] for item in mine] == ["Watch the film of Tuesday", "Try the drum"]
    assert mine[0].text.startswith("Overdue since") and mine[1].text.startswith("Due by")
    assert [item.text.split(": ", 1)[1] for item in items_for(world.coordinator) if item.kind == Kind.ACTIONS] == [
        "Book the room"
    ]


@pytest.mark.django_db
def test_consent_reviews_and_expiries_reach_those_who_renew_consent_only(world):
    consent(world.mine, "video", starts_days_ago=400, review_in_days=-10)  # review due (within the grace period)
    consent(world.unassigned, "reports", starts_days_ago=800, review_in_days=-200)  # expired
    coordinator = items_for(world.coordinator)
    consent_lines = [item.text for item in coordinator if item.kind == Kind.CONSENT]
    assert consent_lines == [
        "Una Test: consent expired (use in anonymised reports)",
        "Mina Test: consent due for review (video recording)",
    ]
    assert all(item.kind != Kind.CONSENT for item in items_for(world.practitioner))
    assert Kind.CONSENT not in [item.kind for item in items_for(world.other_coordinator)]


@pytest.mark.django_db
def test_a_shared_video_and_a_reply_reach_the_member_only_while_consent_to_video_holds(world):
    video_consent = consent(world.mine, "video")
    therapist = world.members[Role.THERAPIST]
    video = a_video(world, world.mine, world.practitioner)
    video_share(actor=world.practitioner, video=video, member=therapist)
    note = comment_add(actor=world.practitioner, video=video, time=3.0, text="Look at her smile here")
    comment_add(actor=therapist, video=video, time=3.0, text="Lovely turn-taking", reply_to=note)
    assert texts(therapist, Kind.VIDEO_SHARED) == ["Practitioner shared a video of a session with Mina Test with you"]
    assert texts(world.practitioner, Kind.VIDEO_REPLY) == ["Therapist replied to your note on a video of Mina Test"]
    assert texts(therapist, Kind.VIDEO_REPLY) == []  # their own reply
    video_consent.withdrawn_on = today()
    video_consent.save()
    assert texts(therapist, Kind.VIDEO_SHARED) == []
    assert texts(world.practitioner, Kind.VIDEO_REPLY) == []


@pytest.mark.django_db
def test_training_refreshers_reach_the_member_themselves(world):
    course = world.school.courses.get(name="Yearly refresher")
    training_completion_record(
        actor=world.coordinator,
        staff=world.practitioner,
        course=course,
        completed_on=today() - timedelta(days=360),
        provider="Institute",
    )
    lines = texts(world.practitioner, Kind.TRAINING)
    assert any(line.startswith("Training to do again soon: Yearly refresher, due by") for line in lines), lines
    assert not any("Yearly refresher, due by" in line for line in texts(world.coordinator, Kind.TRAINING))


@pytest.mark.django_db
def test_a_family_hears_of_new_sessions_only_when_records_are_shared_with_family(world):
    family = world.members[Role.FAMILY]
    session_record(actor=world.practitioner, learner=world.mine, details=details(what_happened="Private words"))
    assert texts(family) == []  # no agreement to share with the family
    consent(world.mine, "family")
    assert texts(family) == ["Mina Test: 1 new session"]
    session_record(actor=world.coordinator, learner=world.unassigned, details=details())
    assert texts(family) == ["Mina Test: 1 new session"]  # never another family's person


@pytest.mark.django_db
def test_a_kind_turned_off_is_not_shown(world):
    home_observation_add(actor=world.members[Role.FAMILY], learner=world.mine, observed_on=today(), text="Calm")
    Preference.objects.create(membership=world.practitioner, kind=Kind.HOME_NOTES, channel=Channel.OFF)
    assert texts(world.practitioner, Kind.HOME_NOTES) == []
    Preference.objects.filter(membership=world.practitioner).update(channel=Channel.APP)
    assert texts(world.practitioner, Kind.HOME_NOTES)

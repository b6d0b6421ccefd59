"""Saves kept on a tablet with no connection, sent later by the page: the server's JSON answers."""

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attunement.learners.models import Assignment
from attunement.organisations.models import Role
from attunement.practice.models import HomeObservation, Session

from ..conftest import login
from .test_views import quick_log_post

QUEUED = {"X-Attunement-Queue": "1"}
LIVE = {"X-Attunement-Queue": "live"}


def _log_url(learner):
    return reverse("practice:log_session", kwargs={"learner_id": learner.pk})


def _note_url(learner):
    return reverse("practice:family_note", kwargs={"learner_id": learner.pk})


def _note(**overrides):
    today = timezone.localdate().isoformat()
    return {"observed_on": today, "text": "She hummed our song.", "submission_key": str(uuid.uuid4())} | overrides


@pytest.mark.django_db
class TestQueuedSessions:
    def test_a_kept_session_is_saved_and_answered_in_json_with_the_timeline(self, world, client):
        login(client, world.practitioner)
        response = client.post(_log_url(world.mine), quick_log_post(minutes="17"), headers=QUEUED)
        assert response.status_code == 200
        assert response.json()["state"] == "saved"
        assert response.json()["url"] == reverse("practice:timeline", kwargs={"learner_id": world.mine.pk})
        session = Session.objects.get()
        assert (session.learner, session.minutes, session.recorded_by) == (world.mine, 17, world.practitioner.user)

    def test_a_kept_session_sent_twice_is_recorded_once(self, world, client):
        login(client, world.practitioner)
        data = quick_log_post()
        first = client.post(_log_url(world.mine), data, headers=QUEUED)
        again = client.post(_log_url(world.mine), data, headers=QUEUED)
        assert first.json()["state"] == "saved"
        assert again.json()["state"] == "already_saved"
        assert Session.objects.count() == 1

    def test_a_kept_session_leaves_no_message_and_no_draft_to_clear_for_the_next_page(self, world, client):
        login(client, world.practitioner)
        client.post(_log_url(world.mine), quick_log_post(), headers=QUEUED)
        page = client.get(reverse("practice:timeline", kwargs={"learner_id": world.mine.pk})).content.decode()
        assert "saved." not in page
        assert 'data-clear-draft=""' in page or "data-clear-draft" not in page

    def test_a_kept_session_with_problems_is_refused_with_the_reasons_in_plain_words(self, world, client):
        login(client, world.practitioner)
        response = client.post(_log_url(world.mine), quick_log_post(minutes="-3"), headers=QUEUED)
        assert response.status_code == 400
        answer = response.json()
        assert answer["state"] == "refused"
        assert any("at least 1" in reason for reason in answer["reasons"])
        assert Session.objects.count() == 0

    def test_a_kept_session_for_someone_no_longer_assigned_is_refused_and_not_saved(self, world, client):
        login(client, world.practitioner)
        Assignment.objects.filter(learner=world.mine, user=world.practitioner.user).delete()
        response = client.post(_log_url(world.mine), quick_log_post(), headers=QUEUED)
        assert response.status_code in (403, 404)
        answer = response.json()
        assert answer["state"] == "refused" and answer["reasons"]
        assert Session.objects.count() == 0

    def test_a_session_saved_before_the_link_ended_and_sent_again_is_known_as_already_saved(self, world, client):
        login(client, world.practitioner)
        data = quick_log_post()
        client.post(_log_url(world.mine), data, headers=QUEUED)  # saved; the answer never reached the tablet
        Assignment.objects.filter(learner=world.mine, user=world.practitioner.user).delete()
        again = client.post(_log_url(world.mine), data, headers=QUEUED)
        assert again.json()["state"] == "already_saved"
        other = client.post(_log_url(world.mine), quick_log_post(), headers=QUEUED)
        assert other.json()["state"] == "refused"
        assert Session.objects.count() == 1

    def test_a_kept_session_after_the_login_ended_is_told_apart_from_a_login_page(self, world, client):
        response = client.post(_log_url(world.mine), quick_log_post(), headers=QUEUED)
        assert response.status_code == 401
        assert response.json()["state"] == "signed_out"
        assert Session.objects.count() == 0

    def test_a_key_used_by_someone_else_is_refused(self, world, client):
        data = quick_log_post()
        login(client, world.coordinator)
        client.post(_log_url(world.mine), data)
        login(client, world.practitioner)
        response = client.post(_log_url(world.mine), data, headers=QUEUED)
        assert response.json()["state"] == "refused"
        assert Session.objects.count() == 1

    def test_sent_live_a_save_gives_the_address_to_open_and_the_usual_message_waits_there(self, world, client):
        login(client, world.practitioner)
        response = client.post(_log_url(world.mine), quick_log_post(), headers=LIVE)
        timeline = reverse("practice:timeline", kwargs={"learner_id": world.mine.pk})
        assert response.json() == {"state": "saved", "url": timeline}
        assert "Session with Mina saved." in client.get(timeline).content.decode()

    def test_sent_live_a_form_with_problems_asks_for_the_ordinary_page(self, world, client):
        login(client, world.practitioner)
        response = client.post(_log_url(world.mine), quick_log_post(minutes=""), headers=LIVE)
        assert response.json()["state"] == "show"
        assert Session.objects.count() == 0

    def test_without_the_header_the_page_behaves_as_always(self, world, client):
        login(client, world.practitioner)
        response = client.post(_log_url(world.mine), quick_log_post(minutes=""))
        assert response.status_code == 400 and "Nothing was saved yet" in response.content.decode()
        assert client.post(_log_url(world.mine), quick_log_post()).status_code == 302
        anonymous = client.__class__()
        assert anonymous.post(_log_url(world.mine), quick_log_post()).status_code == 302

    def test_the_quick_log_is_marked_for_the_queue_but_a_correction_is_not(self, world, client):
        login(client, world.practitioner)
        page = client.get(_log_url(world.mine)).content.decode()
        assert 'data-offline-queue="session"' in page and 'data-offline-label="Session with Mina' in page
        client.post(_log_url(world.mine), quick_log_post())
        session = Session.objects.get()
        url = reverse("practice:session_correct", kwargs={"learner_id": world.mine.pk, "session_id": session.pk})
        assert "data-offline-queue" not in client.get(url).content.decode()


@pytest.mark.django_db
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sends=st.lists(st.sampled_from(["queued", "live", "page"]), min_size=1, max_size=4))
def test_however_a_session_is_sent_and_resent_it_is_recorded_once(world, client, sends):
    login(client, world.practitioner)
    data = quick_log_post()
    data["behaviour-0-text"] = f"Tapped back {data['submission_key']}"  # each example its own first
    for how in sends:
        headers = {"queued": QUEUED, "live": LIVE, "page": {}}[how]
        client.post(_log_url(world.mine), data, headers=headers)
    assert Session.objects.filter(submission_key=data["submission_key"]).count() == 1


@pytest.mark.django_db
class TestQueuedNotes:
    def test_a_kept_note_is_sent_once_however_often_it_is_sent(self, world, client):
        login(client, world.members[Role.FAMILY])
        data = _note()
        answers = [client.post(_note_url(world.mine), data, headers=QUEUED).json()["state"] for _ in range(3)]
        assert answers == ["saved", "already_saved", "already_saved"]
        note = HomeObservation.objects.get()
        assert note.text == "She hummed our song." and note.learner == world.mine

    def test_a_kept_note_with_problems_is_refused_with_the_reasons(self, world, client):
        login(client, world.members[Role.FAMILY])
        response = client.post(_note_url(world.mine), _note(text=""), headers=QUEUED)
        assert response.status_code == 400
        assert response.json()["reasons"] == ["What did you notice? Please write what you noticed."]
        assert not HomeObservation.objects.exists()

    def test_a_kept_note_after_the_family_link_ended_is_refused(self, world, client):
        family = world.members[Role.FAMILY]
        login(client, family)
        Assignment.objects.filter(learner=world.mine, user=family.user).delete()
        response = client.post(_note_url(world.mine), _note(), headers=QUEUED)
        assert response.json()["state"] == "refused" and response.status_code in (403, 404)
        assert not HomeObservation.objects.exists()

    def test_the_note_form_is_marked_for_the_queue(self, world, client):
        login(client, world.members[Role.FAMILY])
        page = client.get(_note_url(world.mine)).content.decode()
        assert 'data-offline-queue="note"' in page


@pytest.mark.django_db
class TestTokenAndList:
    def test_the_token_names_the_signed_in_user_and_changes_at_sign_in(self, world, client):
        assert client.get(reverse("practice:offline_queue_token")).status_code == 401
        login(client, world.practitioner)
        first = client.get(reverse("practice:offline_queue_token"))
        assert first.json()["user"] == world.practitioner.user_id and first.json()["csrf"]
        assert "no-store" in first["Cache-Control"]
        login(client, world.coordinator)
        second = client.get(reverse("practice:offline_queue_token")).json()
        assert second["user"] == world.coordinator.user_id

    def test_every_page_of_a_signed_in_user_carries_the_status_for_that_user(self, world, client):
        login(client, world.members[Role.FAMILY])
        page = client.get(reverse("practice:offline_queue")).content.decode()
        assert "Saved on this tablet" in page
        assert f'id="queue-status" role="status" data-user="{world.members[Role.FAMILY].user_id}"' in page

    def test_the_list_asks_to_sign_in_first(self, client):
        response = client.get(reverse("practice:offline_queue"))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    minutes=st.one_of(st.integers(-(10**6), 10**6).map(str), st.text(max_size=12)),
    started_at=st.one_of(st.just(""), st.text(max_size=20), st.sampled_from(["2999-01-01T10:00", "1900-01-01T10:00"])),
)
def test_a_kept_save_is_either_saved_once_or_refused_in_plain_words_with_nothing_saved(
    world, client, minutes, started_at
):
    login(client, world.practitioner)
    data = quick_log_post(minutes=minutes, **({"started_at": started_at} if started_at else {}))
    data["behaviour-0-novelty"] = "typical"
    response = client.post(_log_url(world.mine), data, headers=QUEUED)
    answer = response.json()
    saved = Session.objects.filter(submission_key=data["submission_key"]).count()
    if answer["state"] == "saved":
        assert saved == 1
    else:
        assert answer["state"] == "refused" and response.status_code == 400
        assert answer["reasons"] and all(reason.strip() for reason in answer["reasons"])
        assert saved == 0

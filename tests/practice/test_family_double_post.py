"""Notes from home and family feedback sent twice (a double tap, a resend) are saved once."""

import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from attunement.organisations.models import Role
from attunement.practice.models import FamilyFeedback, HomeObservation

from ..conftest import login

SCORES = {"understand": "4", "connected": "5", "reassured": "3", "enjoy": "5"}


def _drawn_key(client, url) -> str:
    """The submission key the page drew its form with."""
    page = client.get(url).content.decode()
    return re.search(r'name="submission_key" value="([0-9a-f-]{36})"', page).group(1)


@pytest.mark.django_db
class TestSavedOnce:
    def test_a_note_from_home_sent_twice_is_saved_once_and_the_second_answer_says_so(self, world, client):
        login(client, world.members[Role.FAMILY])
        url = reverse("practice:family_note", kwargs={"learner_id": world.mine.pk})
        data = {
            "observed_on": timezone.localdate().isoformat(),
            "text": "She hummed our song at bedtime.",
            "submission_key": _drawn_key(client, url),
        }
        first = client.post(url, data, follow=True)
        assert "can now read your note" in first.content.decode()
        second = client.post(url, data, follow=True)
        assert HomeObservation.objects.count() == 1
        assert "This note was already sent — it has not been sent twice." in second.content.decode()

    def test_two_different_notes_are_both_saved(self, world, client):
        login(client, world.members[Role.FAMILY])
        url = reverse("practice:family_note", kwargs={"learner_id": world.mine.pk})
        for text in ("First note", "Second note"):
            data = {"observed_on": timezone.localdate().isoformat(), "text": text}
            client.post(url, data | {"submission_key": _drawn_key(client, url)})
        assert HomeObservation.objects.count() == 2

    @pytest.mark.parametrize("on_paper", [False, True])
    def test_family_feedback_sent_twice_is_saved_once_and_the_second_answer_says_so(self, world, client, on_paper):
        if on_paper:
            login(client, world.practitioner)
            url = reverse("practice:family_feedback_on_paper", kwargs={"learner_id": world.mine.pk})
        else:
            login(client, world.members[Role.FAMILY])
            url = reverse("practice:family_feedback", kwargs={"learner_id": world.mine.pk})
        data = {
            "given_on": timezone.localdate().isoformat(),
            "given_by_name": "Mum",
            "comment": "He waits for me now.",
            "submission_key": _drawn_key(client, url),
            **SCORES,
        }
        first = client.post(url, data, follow=True)
        assert "Thank you: the feedback is saved." in first.content.decode()
        second = client.post(url, data, follow=True)
        assert FamilyFeedback.objects.count() == 1
        assert "This feedback was already saved — it has not been saved twice." in second.content.decode()

    def test_a_form_that_comes_back_with_a_message_keeps_its_key(self, world, client):
        login(client, world.members[Role.FAMILY])
        url = reverse("practice:family_note", kwargs={"learner_id": world.mine.pk})
        key = str(uuid.uuid4())
        response = client.post(
            url, {"observed_on": timezone.localdate().isoformat(), "text": "", "submission_key": key}
        )
        assert response.status_code == 400
        assert f'name="submission_key" value="{key}"' in response.content.decode()

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from attunement.learners.models import Learner
from attunement.organisations.models import Role
from attunement.outcomes.periods import Period
from attunement.outcomes.reports import organisation_pack
from attunement.practice.models import FamilyFeedback
from attunement.practice.services import family_feedback_record

from ..conftest import login

SCORES = {"understand": 4, "connected": 5, "reassured": 3, "enjoy": 5}


def answers(**extra):
    return {"given_on": timezone.localdate().isoformat(), **{k: str(v) for k, v in SCORES.items()}, **extra}


@pytest.mark.django_db
class TestFamilyFeedback:
    def test_a_family_member_gives_feedback_in_the_portal(self, world, client):
        login(client, world.members[Role.FAMILY])
        url = reverse("practice:family_feedback", kwargs={"learner_id": world.mine.pk})
        response = client.post(url, answers(comment="He waits for me now", may_quote="on"))
        assert response.status_code == 302
        feedback = FamilyFeedback.objects.get()
        assert not feedback.on_paper and feedback.connected == 5 and feedback.may_quote

    def test_staff_copy_in_a_paper_form_and_must_say_who_filled_it_in(self, world, client):
        login(client, world.practitioner)
        url = reverse("practice:family_feedback_on_paper", kwargs={"learner_id": world.mine.pk})
        assert "who in the family" in client.post(url, answers()).content.decode()
        assert client.post(url, answers(given_by_name="Mum")).status_code == 302
        assert FamilyFeedback.objects.get().on_paper

    def test_an_unanswered_question_is_explained_and_nothing_is_saved(self, world, client):
        login(client, world.members[Role.FAMILY])
        data = answers()
        del data["reassured"]
        response = client.post(reverse("practice:family_feedback", kwargs={"learner_id": world.mine.pk}), data)
        assert response.status_code == 400 and "Please choose from 1" in response.content.decode()
        assert not FamilyFeedback.objects.exists()


@pytest.mark.django_db
def test_families_answers_reach_reports_only_as_averages_and_quotes_only_the_managers(world):
    from attunement.privacy.models import Consent

    people = [Learner.objects.create(organisation=world.school, first_name=f"F{i}", last_name="Q") for i in range(5)]
    for i, learner in enumerate(people):
        Consent.objects.create(
            learner=learner,
            purpose="reports",
            given_by="parent",
            giver_name="P",
            starts_on=timezone.localdate() - timedelta(days=5),
            review_on=timezone.localdate() + timedelta(days=300),
        )
        family_feedback_record(
            actor=world.coordinator,
            learner=learner,
            given_on=timezone.localdate(),
            scores=SCORES | {"connected": 3 + i % 3},
            comment=f"Quote {i}",
            may_quote=i < 2,
            given_by_name="Dad",
        )
    period = Period(since=timezone.localdate() - timedelta(days=30), until=timezone.localdate())
    management = organisation_pack(organisation=world.school, period=period, audience="management")
    figures = {f["label"]: f["figure"].value for s in management["sections"] for f in s["figures"]}
    assert figures["Families who gave feedback"] is None  # 5 of the 5 counted: the none who did not is hidden too
    assert figures["Families: “I feel more connected to them” (average, 1 to 5)"] == 3.8
    assert sorted(management["quotes"]) == ["Quote 0", "Quote 1"]
    funders = organisation_pack(organisation=world.school, period=period, audience="funders")
    assert funders["quotes"] == []

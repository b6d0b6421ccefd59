from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from attunement.learners.models import CommunicationProfile, Learner
from attunement.organisations.models import Role
from attunement.practice.services import RatingInput, review_record, session_record
from attunement.suppression import THRESHOLD, suppress_row

from ..conftest import details, login, shown


def agree_to_reports(learner, **dates):
    from attunement.privacy.models import Consent

    Consent.objects.create(
        learner=learner,
        purpose="reports",
        given_by="parent",
        giver_name="A parent",
        starts_on=dates.get("starts_on", timezone.localdate() - timedelta(days=30)),
        review_on=dates.get("review_on", timezone.localdate() + timedelta(days=300)),
        withdrawn_on=dates.get("withdrawn_on"),
    )


rows = st.dictionaries(st.text(min_size=1, max_size=3), st.integers(min_value=0, max_value=40), min_size=2, max_size=8)


@given(counts=rows, total_shown=st.booleans())
def test_no_shown_figure_is_about_fewer_than_five_and_no_hidden_one_can_be_worked_out(counts, total_shown):
    result = suppress_row(counts, total_shown=total_shown)
    assert set(result) == set(counts)
    for key, value in result.items():
        assert value is None or (value == counts[key] and value >= THRESHOLD)
        if counts[key] < THRESHOLD:
            assert value is None
    hidden = [key for key, value in result.items() if value is None]
    if total_shown:
        assert len(hidden) != 1, "one hidden cell next to a shown total can be worked out by subtraction"


@pytest.mark.django_db
class TestExternalViewers:
    def test_a_small_organisation_shows_only_fewer_than_five(self, world, client):
        login(client, world.members[Role.EXTERNAL])
        page = shown(client.get(reverse("home"), follow=True))
        assert "fewer than 5" in page and "too few people" in page
        assert "Mina" not in page and "Una" not in page

    def test_figures_appear_for_enough_people_and_never_a_name_a_birthday_or_a_note(self, world, client):
        people = [world.mine, world.unassigned]
        for i in range(6):
            learner = Learner.objects.create(
                organisation=world.school, first_name=f"Zed{i}", last_name="Quist", date_of_birth=date(2015, 3, 14)
            )
            CommunicationProfile.objects.create(learner=learner, what_they_enjoy="Secret bubbles")
            people.append(learner)
        scale = world.school.progress_scale
        fundamental = world.school.fundamentals.first()
        last_week = timezone.now() - timedelta(days=8)
        for learner in people:
            session_record(
                actor=world.coordinator,
                learner=learner,
                details=details(started_at=last_week, what_happened="Private note about the day"),
            )
            review_record(
                actor=world.coordinator,
                learner=learner,
                scale=scale,
                reviewed_on=timezone.localdate(),
                ratings=[RatingInput(level_id=scale.levels.get(label="Emerging").pk, fundamental_id=fundamental.pk)],
            )
        for learner in people[:7]:
            agree_to_reports(learner)
        login(client, world.members[Role.EXTERNAL])
        page = client.get(reverse("outcomes:summary")).content.decode()
        assert "<dd>7</dd>" in page  # seven people: the eighth has not agreed to anonymised reports
        assert f'<th scope="row">{fundamental.name}</th><td>7</td>' in page
        for private in ("Zed", "Quist", "Mina", "14 March 2015", "2015-03-14", "Private note", "Secret bubbles"):
            assert private not in page

    def test_external_viewers_reach_nothing_about_any_individual(self, world, client):
        login(client, world.members[Role.EXTERNAL])
        for name in ("learners:list", "practice:fundamentals", "practice:log", "audit"):
            assert client.get(reverse(name)).status_code == 403
        assert client.get(reverse("learners:about", kwargs={"learner_id": world.mine.pk})).status_code == 404

    def test_practitioners_do_not_see_the_summary_but_leaders_do(self, world, client):
        login(client, world.practitioner)
        assert client.get(reverse("outcomes:summary")).status_code == 403
        login(client, world.coordinator)
        assert client.get(reverse("outcomes:summary")).status_code == 200


@pytest.mark.django_db
def test_only_people_who_agreed_to_anonymised_reports_are_counted(world):
    from attunement.outcomes.selectors import organisation_summary

    learners = [Learner.objects.create(organisation=world.school, first_name=f"P{i}", last_name="Q") for i in range(6)]
    for learner in learners[:5]:
        agree_to_reports(learner)
    assert organisation_summary(organisation=world.school)["people"].value == 5
    agree_to_reports(learners[5], withdrawn_on=timezone.localdate() - timedelta(days=1))
    assert organisation_summary(organisation=world.school)["people"].value == 5
    learners[0].consents.update(withdrawn_on=timezone.localdate())
    assert str(organisation_summary(organisation=world.school)["people"]) == "fewer than 5"  # four: hidden

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from attunement.learners.models import Assignment
from attunement.learners.selectors import learners_visible_to
from attunement.organisations.models import Role

from ..conftest import login


@pytest.mark.django_db
class TestWhoWorksWithSomeone:
    def url(self, world):
        return reverse("learners:assignments", kwargs={"learner_id": world.unassigned.pk})

    def test_a_visiting_therapists_access_ends_by_itself_after_the_day_given(self, world, client):
        therapist = world.members[Role.THERAPIST]
        login(client, world.coordinator)
        until = timezone.localdate() + timedelta(days=7)
        response = client.post(self.url(world), {"user": therapist.user_id, "ends_on": until.isoformat()})
        assert response.status_code == 302
        assert world.unassigned in learners_visible_to(therapist)
        Assignment.objects.filter(user=therapist.user, learner=world.unassigned).update(
            ends_on=timezone.localdate() - timedelta(days=1)
        )
        assert world.unassigned not in learners_visible_to(therapist)
        assert "Ended" in client.get(self.url(world)).content.decode()

    def test_a_family_member_is_linked_here_and_end_now_stops_access_at_once(self, world, client):
        family = world.members[Role.FAMILY]
        login(client, world.coordinator)
        client.post(self.url(world), {"user": family.user_id})
        assert world.unassigned in learners_visible_to(family)
        assignment = Assignment.objects.get(user=family.user, learner=world.unassigned)
        end = reverse(
            "learners:assignment_end", kwargs={"learner_id": world.unassigned.pk, "assignment_id": assignment.pk}
        )
        assert client.post(end).status_code == 302
        assert world.unassigned not in learners_visible_to(family)
        assert Assignment.objects.filter(pk=assignment.pk).exists()  # the dated link stays as a record

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"ends_on": "2000-01-01"}, "has passed"),
            ({"starts_on": "2030-05-01", "ends_on": "2030-04-01"}, "before the start date"),
        ],
    )
    def test_impossible_dates_are_explained_and_nothing_changes(self, world, client, data, message):
        login(client, world.coordinator)
        response = client.post(self.url(world), {"user": world.practitioner.user_id, **data})
        assert response.status_code == 400 and message in response.content.decode()
        assert not Assignment.objects.filter(user=world.practitioner.user, learner=world.unassigned).exists()

    def test_someone_from_another_organisation_cannot_be_linked(self, world, client):
        login(client, world.coordinator)
        response = client.post(self.url(world), {"user": world.other_coordinator.user_id})
        assert response.status_code == 400
        assert not Assignment.objects.filter(user=world.other_coordinator.user, learner=world.unassigned).exists()

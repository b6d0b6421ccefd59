from datetime import timedelta

import pytest
from django.utils import timezone

from attunement.learners.models import Assignment
from attunement.learners.policies import learner_policy
from attunement.learners.selectors import learners_visible_to
from attunement.organisations.models import Role


def visible_names(membership):
    return set(learners_visible_to(membership).values_list("first_name", flat=True))


@pytest.mark.django_db
class TestWhoSeesWhom:
    def test_practitioner_sees_only_assigned_people(self, world):
        assert visible_names(world.practitioner) == {"Mina"}

    @pytest.mark.parametrize("role", [Role.COORDINATOR, Role.MANAGER, Role.ADMINISTRATOR])
    def test_organisation_wide_roles_see_everyone_in_their_organisation_only(self, world, role):
        assert visible_names(world.members[role]) == {"Mina", "Una"}

    def test_external_viewer_sees_no_individual(self, world):
        assert visible_names(world.members[Role.EXTERNAL]) == set()

    def test_nobody_sees_another_organisations_people(self, world):
        for membership in world.members.values():
            assert "Faro" not in visible_names(membership)
        assert visible_names(world.other_coordinator) == {"Faro"}

    def test_time_limited_assignment_ends_by_itself(self, world):
        therapist = world.members[Role.THERAPIST]
        assignment = Assignment.objects.get(user=therapist.user, learner=world.mine)
        assignment.ends_on = timezone.localdate() - timedelta(days=1)
        assignment.save()
        assert visible_names(therapist) == set()
        assignment.starts_on, assignment.ends_on = timezone.localdate() + timedelta(days=2), None
        assignment.save()
        assert visible_names(therapist) == set()

    def test_inactive_membership_sees_nothing(self, world):
        world.coordinator.is_active = False
        world.coordinator.save()
        assert visible_names(world.coordinator) == set()
        assert not learner_policy.allows(world.coordinator, "view", world.mine)


@pytest.mark.django_db
def test_list_and_detail_answers_agree_for_every_role_and_action(world):
    """The same rules filter lists and guard single records: no record is allowed but unlisted, or the reverse."""
    people = [world.mine, world.unassigned, world.foreign]
    for membership in [*world.members.values(), world.other_coordinator]:
        listed = set(learner_policy.scope(membership).values_list("pk", flat=True))
        for action, roles in learner_policy.actions.items():
            for learner in people:
                allowed = learner_policy.allows(membership, action, learner)
                assert allowed == (membership.role in roles and learner.pk in listed), (membership.role, action)


@pytest.mark.django_db
def test_family_member_cannot_record_sessions_or_edit(world):
    family = world.members[Role.FAMILY]
    assert learner_policy.allows(family, "view", world.mine)
    assert not learner_policy.allows(family, "record_session", world.mine)
    assert not learner_policy.allows(family, "edit_profile", world.mine)

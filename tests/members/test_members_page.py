"""The members page: who is a member, changing what they may do, ending a leaver's access, and who may."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from attunement.learners.models import Assignment
from attunement.organisations.models import AuditEntry, Membership, Role
from attunement.practice.services import session_record
from tests.conftest import PASSWORD, details, login

LEADERS = {Role.COORDINATOR, Role.ADMINISTRATOR}


def member_urls(world):
    practitioner = world.practitioner.pk
    return [
        ("get", reverse("members:list")),
        ("get", reverse("members:invite")),
        ("get", reverse("members:member", args=[practitioner])),
        ("get", reverse("members:end_access", args=[practitioner])),
    ]


@pytest.mark.parametrize("role", list(Role))
def test_only_co_ordinators_and_administrators_open_the_members_pages(world, client, role):
    login(client, world.members[role])
    for method, url in member_urls(world):
        response = getattr(client, method)(url)
        if role in LEADERS:
            assert response.status_code == 200, url
        else:
            assert response.status_code == 403, url
            assert "Only co-ordinators and administrators can" in response.content.decode()


@pytest.mark.parametrize("role", list(Role))
def test_nobody_else_can_change_or_end_a_member(world, client, role):
    login(client, world.members[role])
    target = world.members[Role.THERAPIST]
    client.post(reverse("members:member", args=[target.pk]), {"role": "coordinator"})
    client.post(reverse("members:end_access", args=[target.pk]))
    target.refresh_from_db()
    if role in LEADERS:
        assert not target.is_active  # the leader's end of access went through (the change came first)
    else:
        assert (target.role, target.is_active) == (Role.THERAPIST, True)


def test_another_organisations_member_is_not_found(world, client):
    login(client, world.coordinator)
    foreign = world.other_coordinator.pk
    assert client.get(reverse("members:member", args=[foreign])).status_code == 404
    assert client.post(reverse("members:end_access", args=[foreign])).status_code == 404
    world.other_coordinator.refresh_from_db()
    assert world.other_coordinator.is_active


def test_the_list_shows_each_member_s_role_people_and_last_sign_in(world, client):
    world.practitioner.user.last_login = timezone.now() - timedelta(days=2)
    world.practitioner.user.save()
    page = login(client, world.coordinator).get(reverse("members:list")).content.decode()
    assert "practitioner@" in page
    assert "Never" in page  # someone who has not signed in yet
    row = page[page.index("practitioner@") :].split("</tr>")[0]
    assert "<td>1</td>" in row  # linked to one person
    assert "othercoord@" not in page  # another organisation's member


def test_a_leaver_s_access_ends_at_once_and_what_they_recorded_stays(world, client):
    leaver = world.practitioner
    session = session_record(actor=leaver, learner=world.mine, details=details()).session
    theirs = Client()
    theirs.post(reverse("account_login"), {"login": leaver.user.email, "password": PASSWORD})
    assert theirs.get(reverse("practice:timeline", args=[world.mine.pk])).status_code == 200

    login(client, world.coordinator)
    confirm = client.get(reverse("members:end_access", args=[leaver.pk])).content.decode()
    assert "End access now" in confirm
    assert client.post(reverse("members:end_access", args=[leaver.pk])).status_code == 302

    after = theirs.get(reverse("practice:timeline", args=[world.mine.pk]))
    assert after.status_code == 302 and reverse("account_login") in after["Location"]  # signed out
    again = Client()
    refused = again.post(reverse("account_login"), {"login": leaver.user.email, "password": PASSWORD}, follow=True)
    assert "Your access has ended" in refused.content.decode()
    assert again.get(reverse("learners:list")).status_code == 302  # not signed in

    leaver.refresh_from_db()
    assert not leaver.is_active and leaver.ended_at is not None
    link = Assignment.objects.get(user=leaver.user, learner=world.mine)
    assert link.ends_on == timezone.localdate() - timedelta(days=1)
    timeline = client.get(reverse("practice:timeline", args=[world.mine.pk])).content.decode()
    assert str(leaver.user) in timeline  # their session is still there, under their name
    assert session.recorded_by_id == leaver.user_id
    listed = client.get(reverse("members:list")).content.decode()
    assert "Former members" in listed
    assert AuditEntry.objects.filter(action="member.access_ended", target_id=leaver.pk).exists()


def test_ending_access_in_one_organisation_keeps_the_other(world, client):
    both = world.member(world.other, Role.PRACTITIONER, name="twice")
    here = Membership.objects.create(user=both.user, organisation=world.school, role=Role.PRACTITIONER)
    login(client, world.coordinator).post(reverse("members:end_access", args=[here.pk]))
    both.user.refresh_from_db()
    assert both.user.is_active
    assert Membership.objects.get(pk=both.pk).is_active


def test_no_one_ends_their_own_access_or_changes_their_own_role(world, client):
    me = world.coordinator
    login(client, me)
    assert client.post(reverse("members:member", args=[me.pk]), {"role": "practitioner"}).status_code == 403
    client.post(reverse("members:end_access", args=[me.pk]))
    me.refresh_from_db()
    assert (me.role, me.is_active) == (Role.COORDINATOR, True)


def test_a_co_ordinator_cannot_take_an_administrator_s_access_but_an_administrator_can(world, client):
    administrator = world.members[Role.ADMINISTRATOR]
    refused = login(client, world.coordinator).post(reverse("members:end_access", args=[administrator.pk]))
    administrator.refresh_from_db()
    assert administrator.is_active
    assert refused.status_code == 403
    assert "Only administrators can" in refused.content.decode()
    second = world.member(world.school, Role.ADMINISTRATOR, name="second")
    admin_client = login(Client(), second)
    admin_client.post(reverse("members:end_access", args=[administrator.pk]))
    administrator.refresh_from_db()
    assert not administrator.is_active


def test_changing_the_people_a_member_works_with_unlinks_and_links_from_today(world, client):
    practitioner = world.practitioner
    response = login(client, world.coordinator).post(
        reverse("members:member", args=[practitioner.pk]),
        {"role": "practitioner", "learners": [world.unassigned.pk]},
    )
    assert response.status_code == 302
    assert Assignment.objects.get(user=practitioner.user, learner=world.mine).ends_on < timezone.localdate()
    assert Assignment.objects.get(user=practitioner.user, learner=world.unassigned).ends_on is None
    theirs = login(Client(), practitioner)
    assert theirs.get(reverse("practice:timeline", args=[world.mine.pk])).status_code == 404
    assert theirs.get(reverse("practice:timeline", args=[world.unassigned.pk])).status_code == 200
    entry = AuditEntry.objects.get(action="member.changed")
    assert entry.detail["before"]["people"] == [world.mine.pk]
    assert entry.detail["after"]["people"] == [world.unassigned.pk]

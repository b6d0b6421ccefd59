from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from attunement.means import selectors
from attunement.means.models import AgreedAction, SupervisionMeeting
from attunement.means.services import ActionInput, agreed_action_set_done, supervision_meeting_record
from attunement.organisations.models import AuditEntry, Role
from attunement.practice.services import session_record

from ..conftest import details, login, shown
from .conftest import a_meeting, today

LEADERS = (Role.COORDINATOR, Role.MANAGER, Role.ADMINISTRATOR)


def a_session(world, learner=None, actor=None, **extra):
    return session_record(
        actor=actor or world.practitioner, learner=learner or world.mine, details=details(**extra)
    ).session


@pytest.mark.django_db
class TestRecordingMeetings:
    def test_a_leader_records_a_meeting_with_sessions_and_actions(self, world):
        session = a_session(world)
        meeting = a_meeting(
            world,
            sessions=[session],
            actions=[
                ("Try more vocal echoing with Mina", world.practitioner, today() + timedelta(days=14)),
                ("Book a video review", world.coordinator, None),
                ("", world.practitioner, None),  # an empty row is ignored
            ],
        )
        assert list(meeting.sessions.all()) == [session]
        assert [(a.text, a.owner) for a in meeting.actions.all()] == [
            ("Try more vocal echoing with Mina", world.practitioner),
            ("Book a video review", world.coordinator),
        ]
        assert AuditEntry.objects.filter(action="supervision_meeting.recorded", target_id=meeting.pk).exists()

    @pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.THERAPIST])
    def test_staff_record_meetings_they_took_part_in(self, world, role):
        member = world.members[role]
        as_supervisee = a_meeting(world, actor=member, supervisor=world.coordinator, supervisee=member)
        other = world.members[Role.MANAGER]
        as_mentor = a_meeting(world, actor=member, supervisor=member, supervisee=other)
        assert as_supervisee.recorded_by == member.user and as_mentor.supervisor == member

    def test_staff_cannot_record_other_peoples_meetings(self, world):
        with pytest.raises(PermissionDenied):
            a_meeting(
                world, actor=world.practitioner, supervisor=world.coordinator, supervisee=world.members[Role.THERAPIST]
            )
        assert not SupervisionMeeting.objects.exists()

    @pytest.mark.parametrize("role", [Role.FAMILY, Role.EXTERNAL])
    def test_family_and_external_viewers_record_nothing(self, world, role):
        member = world.members[role]
        with pytest.raises((PermissionDenied, ValidationError)):
            a_meeting(world, actor=member, supervisor=world.coordinator, supervisee=member)
        assert not SupervisionMeeting.objects.exists()

    def test_another_organisations_staff_are_refused(self, world):
        with pytest.raises(PermissionDenied):
            a_meeting(world, supervisee=world.other_coordinator)
        assert not SupervisionMeeting.objects.exists()

    def test_only_sessions_the_supervisor_may_see_can_be_discussed(self, world):
        # The practitioner's supervisor here is a therapist, who also works with Mina but not with Una.
        una = a_session(world, learner=world.unassigned, actor=world.coordinator)
        mina = a_session(world)
        therapist = world.members[Role.THERAPIST]
        with pytest.raises(ValidationError) as error:
            a_meeting(world, supervisor=therapist, sessions=[mina, una])
        assert "supervisor does not work with" in str(error.value.message_dict["sessions"])
        meeting = a_meeting(world, supervisor=therapist, sessions=[mina])
        assert list(meeting.sessions.all()) == [mina]
        foreign = a_session(world, learner=world.foreign, actor=world.other_coordinator)
        with pytest.raises(ValidationError):
            a_meeting(world, sessions=[foreign])
        assert SupervisionMeeting.objects.count() == 1

    @pytest.mark.parametrize(
        ("overrides", "field", "words"),
        [
            ({"met_on": None}, "met_on", "date of the meeting"),
            ({"met_on": today() + timedelta(days=1)}, "met_on", "in the future"),
            ({"kind": "gossip"}, "kind", "kind of meeting"),
            ({"notes": "x" * 10001}, "notes", "under 10,000"),
            ({"supervisor": "same"}, "supervisee", "two different people"),
            ({"actions": [("", None, today())]}, "actions", "what was agreed"),
            ({"actions": [("Do a thing", "other", None)]}, "actions", "the supervisor or the supervisee"),
            ({"actions": [("Do a thing", None, today() - timedelta(days=30))]}, "actions", "before the meeting"),
            ({"actions": [("x" * 301, None, None)]}, "actions", "under 300 characters"),
        ],
    )
    def test_bad_input_is_explained_and_nothing_is_saved(self, world, overrides, field, words):
        if overrides.get("supervisor") == "same":
            overrides["supervisor"] = world.practitioner
        if "actions" in overrides:
            owners = {None: world.practitioner, "other": world.members[Role.MANAGER]}
            overrides["actions"] = [(t, owners[o], d) for t, o, d in overrides["actions"]]
        with pytest.raises(ValidationError) as error:
            a_meeting(world, **overrides)
        assert words in " ".join(error.value.message_dict[field])
        assert not SupervisionMeeting.objects.exists() and not AgreedAction.objects.exists()


@pytest.mark.django_db
class TestActions:
    def make(self, world, due=-1):
        meeting = a_meeting(
            world,
            met_on=today() - timedelta(days=10),
            actions=[("Watch the video together", world.practitioner, today() + timedelta(days=due))],
        )
        return meeting.actions.get()

    @pytest.mark.parametrize("who", ["owner", "supervisor", *LEADERS])
    def test_the_owner_the_supervisor_and_leaders_mark_it_done(self, world, who):
        action = self.make(world)
        actor = {"owner": world.practitioner, "supervisor": world.coordinator}.get(who) or world.members[who]
        agreed_action_set_done(actor=actor, action=action)
        action.refresh_from_db()
        assert action.done_on == today()
        assert AuditEntry.objects.filter(action="agreed_action.done", target_id=action.pk).exists()
        agreed_action_set_done(actor=actor, action=action, done=False)
        action.refresh_from_db()
        assert action.done_on is None

    def test_someone_else_cannot(self, world):
        action = self.make(world)
        meeting = action.meeting
        meeting.supervisee = world.members[Role.THERAPIST]  # a meeting the therapist took part in, action not theirs
        meeting.save()
        with pytest.raises(PermissionDenied):
            agreed_action_set_done(actor=world.members[Role.THERAPIST], action=action)
        with pytest.raises(PermissionDenied):
            agreed_action_set_done(actor=world.other_coordinator, action=action)
        action.refresh_from_db()
        assert action.done_on is None

    @pytest.mark.parametrize(("offset", "words"), [(1, "in the future"), (-11, "cannot be done before then")])
    def test_bad_dates_are_explained(self, world, offset, words):
        action = self.make(world)
        with pytest.raises(ValidationError, match=words):
            agreed_action_set_done(actor=world.practitioner, action=action, done_on=today() + timedelta(days=offset))
        action.refresh_from_db()
        assert action.done_on is None

    def test_overdue_actions_are_listed_for_those_who_may_see_them(self, world):
        overdue = self.make(world, due=-1)
        self.make(world, due=+5)
        done = self.make(world, due=-2)
        agreed_action_set_done(actor=world.coordinator, action=done)
        rows = selectors.supervision_actions_overdue(actor=world.practitioner)
        assert [row["action_id"] for row in rows] == [overdue.pk]
        assert rows[0]["owner"] == str(world.practitioner.user) and rows[0]["due_on"] == today() - timedelta(days=1)
        assert [r["action_id"] for r in selectors.supervision_actions_overdue(actor=world.members[Role.MANAGER])] == [
            overdue.pk
        ]
        assert selectors.supervision_actions_overdue(actor=world.members[Role.THERAPIST]) == []
        assert selectors.supervision_actions_overdue(actor=world.other_coordinator) == []
        assert selectors.supervision_actions_overdue(actor=world.members[Role.FAMILY]) == []


@pytest.mark.django_db
class TestMeetingReads:
    def test_leaders_see_every_meeting_and_staff_their_own(self, world):
        therapist = world.members[Role.THERAPIST]
        theirs = a_meeting(world, supervisee=therapist)
        mine = a_meeting(world)
        assert set(selectors.meetings(actor=world.practitioner)) == {mine}
        assert set(selectors.meetings(actor=therapist)) == {theirs}
        for role in LEADERS:
            assert set(selectors.meetings(actor=world.members[role])) == {mine, theirs}
        assert not selectors.meetings(actor=world.other_coordinator).exists()
        assert not selectors.meetings(actor=world.members[Role.FAMILY]).exists()

    def test_a_viewer_sees_only_the_discussed_sessions_they_may_see(self, world):
        una = a_session(world, learner=world.unassigned, actor=world.coordinator, what_happened="Una secret")
        mina = a_session(world)
        a_meeting(world, sessions=[una, mina])
        seen_by_practitioner = selectors.meetings(actor=world.practitioner).get()
        assert seen_by_practitioner.visible_sessions == [mina] and seen_by_practitioner.session_count == 2
        assert len(selectors.meetings(actor=world.coordinator).get().visible_sessions) == 2


@pytest.mark.django_db
class TestSupervisionPages:
    def test_a_practitioner_records_a_meeting_on_the_page(self, world, client):
        session = a_session(world)
        login(client, world.practitioner)
        page = shown(client.get(reverse("means:supervision_new")))
        assert "Mina" in page and "Una" not in page
        response = client.post(
            reverse("means:supervision_new"),
            {
                "kind": "mentoring",
                "supervisor": world.coordinator.pk,
                "supervisee": world.practitioner.pk,
                "met_on": today().isoformat(),
                "sessions": [session.pk],
                "notes": "Looked at the start of the session.",
                "actions-TOTAL_FORMS": "3",
                "actions-INITIAL_FORMS": "0",
                "actions-0-text": "Try waiting longer",
                "actions-0-owner": "supervisee",
                "actions-0-due_on": (today() + timedelta(days=7)).isoformat(),
                "actions-1-owner": "supervisee",
                "actions-2-owner": "supervisee",
            },
            follow=True,
        )
        assert response.redirect_chain[-1][0] == reverse("means:supervision")
        page = response.content.decode()
        assert "The meeting is saved." in page and "Try waiting longer" in page and "Looked at the start" in page
        assert "Mark done today" in page
        meeting = SupervisionMeeting.objects.get()
        assert meeting.kind == "mentoring" and meeting.actions.get().owner == world.practitioner

    def test_bad_input_on_the_page_answers_400_and_saves_nothing(self, world, client):
        login(client, world.practitioner)
        response = client.post(
            reverse("means:supervision_new"),
            {
                "kind": "supervision",
                "supervisor": world.practitioner.pk,
                "supervisee": world.practitioner.pk,
                "met_on": today().isoformat(),
                "notes": "Kept notes",
                "actions-TOTAL_FORMS": "1",
                "actions-INITIAL_FORMS": "0",
                "actions-0-owner": "supervisee",
            },
        )
        page = response.content.decode()
        assert response.status_code == 400 and "two different people" in page and "Kept notes" in page
        assert not SupervisionMeeting.objects.exists()

    def test_marking_done_on_the_page(self, world, client):
        meeting = a_meeting(world, actions=[("Share a video clip", world.practitioner, today())])
        action = meeting.actions.get()
        login(client, world.practitioner)
        assert client.get(reverse("means:action_done", args=[action.pk])).status_code == 405
        response = client.post(reverse("means:action_done", args=[action.pk]), follow=True)
        assert "is marked done" in response.content.decode()
        action.refresh_from_db()
        assert action.done_on == today()
        client.post(reverse("means:action_done", args=[action.pk]), {"undo": "on"})
        action.refresh_from_db()
        assert action.done_on is None

    def test_an_action_in_someone_elses_meeting_is_not_found(self, world, client):
        meeting = a_meeting(world, supervisee=world.members[Role.THERAPIST], actions=[("X", world.coordinator, None)])
        action = meeting.actions.get()
        login(client, world.practitioner)
        assert client.post(reverse("means:action_done", args=[action.pk])).status_code == 404
        login(client, world.other_coordinator)
        assert client.post(reverse("means:action_done", args=[action.pk])).status_code == 404
        action.refresh_from_db()
        assert action.done_on is None

    def test_the_list_shows_leaders_everything_and_staff_their_own(self, world, client):
        a_meeting(world, supervisee=world.members[Role.THERAPIST], notes="About the therapist")
        a_meeting(world, notes="About the practitioner")
        login(client, world.practitioner)
        page = client.get(reverse("means:supervision")).content.decode()
        assert "About the practitioner" in page and "About the therapist" not in page
        login(client, world.members[Role.MANAGER])
        page = client.get(reverse("means:supervision")).content.decode()
        assert "About the practitioner" in page and "About the therapist" in page


def test_action_input_is_a_plain_value():
    assert ActionInput(text="a", owner=None).due_on is None


@pytest.mark.django_db
def test_the_service_is_atomic_when_an_action_fails(world):
    with pytest.raises(ValidationError):
        supervision_meeting_record(
            actor=world.coordinator,
            supervisor=world.coordinator,
            supervisee=world.practitioner,
            met_on=today(),
            actions=[ActionInput(text="ok", owner=world.practitioner), ActionInput(text="bad", owner=None)],
        )
    assert not SupervisionMeeting.objects.exists()

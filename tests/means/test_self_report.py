"""The staff self-report: each person's answers are theirs alone; leaders see averages over 5 or more people."""

from datetime import date, timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from attunement.means import selectors
from attunement.means.models import SelfReport
from attunement.means.services import self_report_submit
from attunement.organisations.models import AuditEntry, Role

from ..conftest import login
from .conftest import today

LEADERS = (Role.COORDINATOR, Role.MANAGER, Role.ADMINISTRATOR)
ANSWERS = {"confidence": 4, "fulfilment": 5, "burnout": 2, "support": 3}


def answer(member, **overrides):
    return self_report_submit(actor=member, **{**ANSWERS, **overrides})


def staff(world, count):
    return [world.member(world.school, Role.PRACTITIONER, name=f"staff{i}") for i in range(count)]


def on(day: date):
    return mock.patch("django.utils.timezone.localdate", return_value=day)


@pytest.mark.django_db
class TestSubmitting:
    def test_any_member_of_staff_answers_for_themselves(self, world):
        submitted = answer(world.practitioner)
        assert submitted.replaced_at is None
        report = submitted.report
        assert (report.staff, report.month, report.burnout) == (world.practitioner, today().replace(day=1), 2)
        entry = AuditEntry.objects.get(action="self_report.submitted")
        assert entry.actor == world.practitioner.user and entry.target_id is None  # who answered, never what

    def test_a_second_answer_in_the_same_month_replaces_the_first(self, world):
        first = answer(world.practitioner)
        second = answer(world.practitioner, confidence=1)
        assert second.replaced_at == first.report.submitted_at
        assert SelfReport.objects.get().confidence == 1

    def test_a_new_month_is_a_new_answer(self, world):
        with on(date(2025, 1, 31)):
            answer(world.practitioner)
        with on(date(2025, 2, 1)):
            assert answer(world.practitioner).replaced_at is None
        assert SelfReport.objects.count() == 2

    @pytest.mark.parametrize("bad", [0, 6, None, "3", True, 2.5])
    def test_answers_outside_1_to_5_are_explained_and_nothing_is_saved(self, world, bad):
        with pytest.raises(ValidationError) as error:
            answer(world.practitioner, burnout=bad)
        assert "from 1 to 5" in " ".join(error.value.message_dict["burnout"])
        assert not SelfReport.objects.exists()

    @pytest.mark.parametrize("role", [Role.FAMILY, Role.EXTERNAL])
    def test_family_and_external_viewers_do_not_answer(self, world, role):
        with pytest.raises(PermissionDenied):
            answer(world.members[role])


@pytest.mark.django_db
class TestPrivacy:
    def test_a_member_sees_only_their_own_answers_and_a_leader_none_but_their_own(self, world):
        answer(world.practitioner, confidence=1)
        answer(world.coordinator, confidence=5)
        assert [r.confidence for r in selectors.my_self_reports(actor=world.practitioner)] == [1]
        for role in LEADERS:
            own = list(selectors.my_self_reports(actor=world.members[role]))
            assert all(r.staff == world.members[role] for r in own)
        assert not list(selectors.my_self_reports(actor=world.other_coordinator))

    def test_figures_from_fewer_than_five_people_are_hidden(self, world):
        for member in staff(world, 4):
            answer(member, confidence=1)
        quarter = selectors.self_report_trends(actor=world.coordinator, since=today(), until=today())[0]
        assert quarter["people"] is None
        assert all(item["average"] is None for item in quarter["items"])

    def test_five_people_are_averaged_each_counting_once_a_quarter(self, world):
        people = staff(world, 5)
        with on(date(2025, 1, 10)):
            for member in people:
                answer(member, confidence=2)
        with on(date(2025, 2, 10)):  # one person answers again in the quarter, very differently
            answer(people[0], confidence=5)
        trends = selectors.self_report_trends(actor=world.coordinator, since=date(2025, 1, 1), until=date(2025, 6, 30))
        first, second = trends
        assert first["label"] == "Jan–Mar 2025" and first["people"] == 5
        averages = {item["field"]: item["average"] for item in first["items"]}
        # person 0 averages 3.5 over the quarter; the rest 2: (3.5 + 4 * 2) / 5 = 2.3
        assert averages == {"confidence": 2.3, "fulfilment": 5.0, "burnout": 2.0, "support": 3.0}
        assert next(i for i in first["items"] if i["field"] == "burnout")["higher_is_better"] is False
        assert second["label"] == "Apr–Jun 2025" and second["people"] is None

    def test_periods_are_widened_to_whole_quarters_so_they_cannot_be_subtracted(self, world):
        people = staff(world, 6)
        with on(date(2025, 1, 10)):
            for member in people[:5]:
                answer(member)
        with on(date(2025, 2, 10)):
            answer(people[5], confidence=1)
        january_only = selectors.self_report_trends(
            actor=world.coordinator, since=date(2025, 1, 1), until=date(2025, 1, 31)
        )
        whole = selectors.self_report_trends(actor=world.coordinator, since=date(2025, 1, 1), until=date(2025, 3, 31))
        assert january_only == whole

    @pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.THERAPIST, Role.FAMILY, Role.EXTERNAL])
    def test_only_leaders_see_trends(self, world, role):
        for member in staff(world, 5):
            answer(member)
        assert selectors.self_report_trends(actor=world.members[role], since=today(), until=today()) == []

    def test_another_organisation_sees_nothing_of_ours(self, world):
        for member in staff(world, 5):
            answer(member)
        quarter = selectors.self_report_trends(actor=world.other_coordinator, since=today(), until=today())[0]
        assert quarter["people"] is None

    def test_no_page_shows_a_leader_someone_elses_answers(self, world, client):
        people = staff(world, 5)
        with on(date(2025, 1, 10)):  # an ended quarter: only those are shown
            for i, member in enumerate(people):
                answer(member, confidence=1 + i % 5, support=1)
            answer(world.practitioner, fulfilment=1)
        login(client, world.coordinator)
        trends = client.get(reverse("means:self_report_trends"), {"since": "2025-01-01", "until": "2025-03-31"})
        assert trends.status_code == 200
        page = trends.content.decode()
        assert "3.2" in page  # the average confidence of the six: (1+2+3+4+5+4)/6
        for member in [*people, world.practitioner]:
            assert str(member.user) not in page
        mine = client.get(reverse("means:self_report")).content.decode()
        assert "My answers" not in mine  # the co-ordinator has not answered: nobody else's answers appear


@pytest.mark.django_db
class TestSelfReportPages:
    def post(self, client, **overrides):
        return client.post(reverse("means:self_report"), {**ANSWERS, **overrides}, follow=True)

    def test_answering_and_answering_again_says_what_happened(self, world, client):
        login(client, world.practitioner)
        page = self.post(client).content.decode()
        assert "Your answers for this month are saved" in page and "You answered this month" in page
        page = self.post(client, confidence=2).content.decode()
        assert "these answers replace" in page
        assert SelfReport.objects.get().confidence == 2

    def test_a_missing_answer_answers_400(self, world, client):
        login(client, world.practitioner)
        response = client.post(reverse("means:self_report"), {"confidence": 3})
        assert response.status_code == 400 and "Nothing was saved" in response.content.decode()
        assert not SelfReport.objects.exists()

    @pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.THERAPIST, Role.FAMILY, Role.EXTERNAL])
    def test_the_trends_page_is_for_leaders(self, world, client, role):
        login(client, world.members[role])
        assert client.get(reverse("means:self_report_trends")).status_code == 403

    def test_the_trends_page_takes_a_period(self, world, client):
        login(client, world.members[Role.MANAGER])
        since = (today() - timedelta(days=400)).isoformat()
        response = client.get(reverse("means:self_report_trends"), {"since": since, "until": today().isoformat()})
        assert response.status_code == 200
        assert "Shown when the quarter has ended and at least 5 people have answered" in response.content.decode()

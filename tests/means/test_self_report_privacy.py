"""Private staff self-reports cannot be worked out by subtraction: a quarter is published only when it has
ended and at least 5 people answered in it."""

from datetime import date
from unittest import mock

import pytest
from django.urls import reverse

from attunement.means import selectors
from attunement.means.services import self_report_submit
from attunement.organisations.models import Role

from ..conftest import login, shown

ANSWERS = {"confidence": 3, "fulfilment": 3, "burnout": 3, "support": 3}
WAITING = "Shown when the quarter has ended and at least 5 people have answered"


def answer(member, **overrides):
    return self_report_submit(actor=member, **{**ANSWERS, **overrides})


def staff(world, count, prefix="staff"):
    return [world.member(world.school, Role.PRACTITIONER, name=f"{prefix}{i}") for i in range(count)]


def on(day: date):
    return mock.patch("django.utils.timezone.localdate", return_value=day)


def trends_page(client, since="2026-01-01", until="2026-12-31"):
    response = client.get(reverse("means:self_report_trends"), {"since": since, "until": until})
    assert response.status_code == 200
    return shown(response)


@pytest.mark.django_db
def test_a_leader_who_looks_before_and_after_a_colleague_answers_sees_no_change(world, client):
    people = staff(world, 6)
    with on(date(2026, 11, 3)):
        for member in people[:5]:
            answer(member)
        login(client, world.coordinator)
        before_page = trends_page(client)
        before = selectors.self_report_trends(
            actor=world.coordinator, since=date(2026, 10, 1), until=date(2026, 12, 31)
        )
        dashboard_before = shown(client.get(reverse("outcomes:dashboard")))
    with on(date(2026, 11, 20)):
        answer(people[5], confidence=1, fulfilment=1, burnout=5, support=1)  # her answers, very different
        after_page = trends_page(client)
        after = selectors.self_report_trends(actor=world.coordinator, since=date(2026, 10, 1), until=date(2026, 12, 31))
    with on(date(2026, 11, 3)):
        dashboard_after = shown(client.get(reverse("outcomes:dashboard")))
    assert before == after
    assert before_page == after_page
    assert dashboard_before.count("not shown yet") == dashboard_after.count("not shown yet")
    (quarter,) = after
    assert quarter["published"] is False and quarter["people"] is None
    assert all(item["average"] is None for item in quarter["items"])
    assert WAITING in after_page
    # Once the quarter has ended, all six count: one figure for the whole quarter, never a before and after.
    with on(date(2027, 1, 2)):
        (ended,) = selectors.self_report_trends(
            actor=world.coordinator, since=date(2026, 10, 1), until=date(2026, 12, 31)
        )
        page = trends_page(client)
    assert ended["published"] is True and ended["people"] == 6
    averages = {item["field"]: item["average"] for item in ended["items"]}
    assert averages == {"confidence": 2.7, "fulfilment": 2.7, "burnout": 3.3, "support": 2.7}
    assert "2.7" in page and "3.3" in page


@pytest.mark.django_db
def test_an_ended_quarter_with_fewer_than_five_people_is_not_shown(world, client):
    with on(date(2026, 2, 10)):
        for member in staff(world, 4):
            answer(member, confidence=1)
    with on(date(2026, 5, 1)):
        (quarter,) = selectors.self_report_trends(
            actor=world.coordinator, since=date(2026, 1, 1), until=date(2026, 3, 31)
        )
        login(client, world.members[Role.MANAGER])
        page = trends_page(client, "2026-01-01", "2026-03-31")
    assert quarter["published"] is False and quarter["people"] is None
    assert WAITING in page and "1.0" not in page


@pytest.mark.django_db
def test_a_busy_current_quarter_is_still_not_shown_until_it_ends(world):
    people = staff(world, 12)
    with on(date(2026, 3, 31)):
        for member in people:
            answer(member)
        (quarter,) = selectors.self_report_trends(
            actor=world.coordinator, since=date(2026, 1, 1), until=date(2026, 3, 31)
        )
        assert quarter["published"] is False
    with on(date(2026, 4, 1)):
        (quarter,) = selectors.self_report_trends(
            actor=world.coordinator, since=date(2026, 1, 1), until=date(2026, 3, 31)
        )
        assert quarter["published"] is True and quarter["people"] == 12


@pytest.mark.django_db
def test_staff_are_told_when_leaders_see_the_averages(world, client):
    login(client, world.practitioner)
    page = shown(client.get(reverse("means:self_report")))
    assert "only for a quarter that has ended and in which at least five people answered" in page

"""The dashboard's training alert (a count and its first lines, worked out by the database) says exactly what
training_overdue says by looking at every member of staff and course: for any staff (names alike, in other
cases, with display names or only an email), any catalogue (required or not, with or without refreshers), any
completions (around the ends of months, where refreshers of different days fall due on the same day) and any
day."""

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from attunement.means import selectors
from attunement.means.models import Course, TrainingCompletion
from attunement.organisations.models import Role
from attunement.organisations.services import membership_add

NAMES = ["Amy", "amy", "Ann", "Zed", "Émile", "", "Ann Lee"]
DAYS = [date(2026, 1, 27) + timedelta(days=n) for n in range(0, 40)] + [date(2025, 1, 30), date(2024, 2, 29)]
TODAYS = [date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 31), date(2026, 4, 30), date(2027, 1, 31)]

a_member = st.tuples(
    st.sampled_from(NAMES),  # first name
    st.sampled_from(["", "Lee", "lee", "Öst"]),  # last name
    st.sampled_from(["", "", "Bea", "amy"]),  # display name
    st.sampled_from([Role.COORDINATOR, Role.PRACTITIONER, Role.THERAPIST, Role.FAMILY]),
    st.booleans(),  # still active
)
a_course = st.tuples(
    st.booleans(), st.sampled_from([None, 0, 1, 2, 12, 13]), st.booleans()
)  # required, months, retired
a_completion = st.tuples(st.integers(0, 11), st.integers(0, 5), st.sampled_from(DAYS))  # whose, which course, when


@pytest.mark.django_db
@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    members=st.lists(a_member, max_size=12),
    catalogue=st.lists(a_course, max_size=6),
    completions=st.lists(a_completion, max_size=30),
    today=st.sampled_from(TODAYS),
    first=st.sampled_from([1, 3, 10]),
)
def test_the_count_and_first_lines_are_those_of_the_whole_list(world, members, catalogue, completions, today, first):
    with transaction.atomic():
        organisation = world.school
        TrainingCompletion.objects.filter(organisation=organisation).delete()
        organisation.courses.all().update(retired_at=timezone.now())  # the catalogue is only the courses drawn here
        staff = [world.coordinator]
        for i, (first_name, last_name, display_name, role, active) in enumerate(members):
            user = get_user_model().objects.create_user(
                email=f"m{i}-{first_name.lower()}@{organisation.pk}.example",
                first_name=first_name,
                last_name=last_name,
                display_name=display_name,
            )
            member = membership_add(organisation=organisation, user=user, role=role)
            if not active:
                member.is_active = False
                member.save(update_fields=["is_active"])
            staff.append(member)
        courses = [
            Course.objects.create(
                organisation=organisation,
                name=f"Course {i}",
                position=10 + i,
                required=required,
                refresh_months=months,
                retired_at=timezone.now() if retired else None,
            )
            for i, (required, months, retired) in enumerate(catalogue)
        ]
        for whose, which, day in completions:
            if courses and whose < len(staff):
                TrainingCompletion.objects.create(
                    organisation=organisation,
                    staff=staff[whose],
                    course=courses[which % len(courses)],
                    completed_on=day,
                    provider="In-house",
                )
        for actor in (world.coordinator, world.practitioner, world.members[Role.FAMILY]):
            everything = selectors.training_overdue(actor=actor, today=today)
            summary = selectors.training_overdue_summary(actor=actor, today=today, first=first)
            assert summary == {"count": len(everything), "rows": everything[:first]}
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_refreshers_done_on_different_days_but_due_on_the_same_day_are_in_name_order(world):
    """Done on any day from 28 to 31 January, a monthly refresher falls due on 28 February: Amy (done last) is
    named first, as in the whole list."""
    organisation = world.school
    organisation.courses.all().update(retired_at=timezone.now())
    course = Course.objects.create(organisation=organisation, name="Monthly", position=1, refresh_months=1)
    for name, day in (
        ("Zed", date(2026, 1, 28)),
        ("Cat", date(2026, 1, 29)),
        ("Amy", date(2026, 1, 31)),
        ("Bob", date(2026, 1, 29)),
        ("Dan", date(2026, 1, 27)),
    ):
        user = get_user_model().objects.create_user(email=f"{name}@{organisation.pk}.example", first_name=name)
        member = membership_add(organisation=organisation, user=user, role=Role.PRACTITIONER)
        TrainingCompletion.objects.create(
            organisation=organisation, staff=member, course=course, completed_on=day, provider="In-house"
        )
    today = date(2026, 3, 31)
    everything = selectors.training_overdue(actor=world.coordinator, today=today)
    assert [row["name"] for row in everything][:5] == ["Dan", "Amy", "Bob", "Cat", "Zed"]
    for first in (1, 2, 3, 4, 5):
        summary = selectors.training_overdue_summary(actor=world.coordinator, today=today, first=first)
        assert summary == {"count": len(everything), "rows": everything[:first]}

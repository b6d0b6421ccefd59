"""Two tabs on the same course: the stale change is refused, the typed text stays open in its form, and the
first change is kept."""

import html
import re

import pytest
from django.urls import reverse

from attunement.means.models import Course

from ..conftest import login


def token(page: str, course) -> str:
    return re.search(rf'name="course-{course.pk}-version" value="(\w+)"', page).group(1)


def change(client, course, version, **values):
    data = {"action": "save", f"course-{course.pk}-version": version}
    data |= {f"course-{course.pk}-{name}": value for name, value in values.items()}
    return client.post(reverse("means:course_change", args=[course.pk]), data)


@pytest.mark.django_db
def test_a_stale_change_to_a_course_is_refused(world, client):
    course = Course.objects.filter(organisation=world.school).first()
    login(client, world.coordinator)
    opened = token(client.get(reverse("means:courses")).content.decode(), course)
    assert change(client, course, opened, name="Intensive Interaction basics", refresh_months="12").status_code == 302

    for typed in ("My own name for it", "A third tab"):
        refused = change(client, course, opened, name=typed, refresh_months="6")
        page = html.unescape(refused.content.decode())
        assert refused.status_code == 409
        assert "Someone else saved this course while you were editing it" in page
        assert f'name="course-{course.pk}-name" value="{typed}"' in page
        course.refresh_from_db()
        assert (course.name, course.refresh_months) == ("Intensive Interaction basics", 12)

    assert change(client, course, token(page, course), name="A third tab", refresh_months="6").status_code == 302
    course.refresh_from_db()
    assert (course.name, course.refresh_months) == ("A third tab", 6)

"""The training list's rules and the default courses an organisation starts with."""

from attunement.catalogue.rules import AuditActions, Catalogue, Words

from .models import Course
from .policies import course_policy
from .vocabulary import DEFAULT_COURSES

COURSES = Catalogue(
    Course,
    Words(thing="course", name_missing="Please give the course a name."),
    policy=course_policy,
    audit=AuditActions(
        added="course.added",
        changed="course.changed",
        retired="course.retired",
        restored="course.restored",
    ),
    edit_fields=("name", "refresh_months", "required"),
)


def default_courses() -> list[dict]:
    """The default training list as catalogue entries (see attunement.catalogue.defaults)."""
    return [
        {"name": name, "refresh_months": months, "required": required} for name, months, required in DEFAULT_COURSES
    ]

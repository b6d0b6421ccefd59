"""The project's URLs plus one empty page: the floor that bench/run.py measures every page against.

The floor goes through the same middleware as every page (session, login, organisation, second step, audit
address, lockout) and answers an empty body, so its cost is what any page costs before its own work starts.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from attunement.config import urls as project
from attunement.learners.access import learner_page

FLOOR_PATH = "bench/floor/"
LAYOUT_PATH = "bench/layout/"
PERSON_PATH = "bench/person/<int:learner_id>/"


def floor(request):
    return HttpResponse(b"")


def layout(request):
    """The project's page layout (header, navigation, footer) around a one-line page: what any page costs before
    its own content."""
    return render(request, "bench_layout.html")


@learner_page("view_records", reads="timeline")
def person(request, learner):
    """A page about one person with nothing on it: the work every such page does before its own content (the
    person found in the member's scope, the permission, the read written to the audit trail, the person's name
    and the buttons to their other pages)."""
    return render(request, "bench_person.html", {"learner": learner})


urlpatterns = [
    path(FLOOR_PATH, floor, name="bench_floor"),
    path(LAYOUT_PATH, layout, name="bench_layout"),
    path(PERSON_PATH, person, name="bench_person"),
    *project.urlpatterns,
]
for _name in ("handler400", "handler403", "handler404", "handler500"):
    if hasattr(project, _name):
        globals()[_name] = getattr(project, _name)

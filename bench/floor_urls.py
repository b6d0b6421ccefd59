"""The project's URLs plus one empty page: the floor that bench/run.py measures every page against.

The floor goes through the same middleware as every page (session, login, organisation, second step, audit
address, lockout) and answers an empty body, so its cost is what any page costs before its own work starts.
"""

from django.http import HttpResponse
from django.urls import path

from attunement.config import urls as project

FLOOR_PATH = "bench/floor/"


def floor(request):
    return HttpResponse(b"")


urlpatterns = [path(FLOOR_PATH, floor, name="bench_floor"), *project.urlpatterns]
for _name in ("handler400", "handler403", "handler404", "handler500"):
    if hasattr(project, _name):
        globals()[_name] = getattr(project, _name)

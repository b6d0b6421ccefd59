"""Attunement with no connection: the installable app (its manifest and service worker) and the pages a tablet
keeps for its signed-in member, so the quick log, About me and the latest of the timeline open anywhere.

The service worker (static/attunement/service-worker.js) asks `offline_pages` which pages to keep, fetches each
with the OFFLINE_COPY_HEADER, and keeps the answers in the Cache API under `attunement-pages-<user id>`. Such a
copy is made for later: it never takes the one-time parts of a page (a "saved" message, the note that a draft may
be forgotten), and the read it records in the audit trail says it was a copy kept on the tablet.
docs/architecture.md explains why this is consistent with every page being sent `Cache-Control: no-store`.
"""

import json
from functools import cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_safe

from attunement.learners.naming import names_for_request
from attunement.learners.policies import learner_policy
from attunement.organisations.access import member_required
from attunement.organisations.policies import is_staff_member

from . import selectors

# Sent by the service worker with every request for a copy to keep on the tablet.
OFFLINE_COPY_HEADER = "X-Attunement-Offline-Copy"
# What the audit trail says about a read made to keep a copy on the tablet.
OFFLINE_COPY_DETAIL = {"kept_on_this_device": "a copy for use with no connection"}

# How many people's pages one member's tablet keeps at most. A practitioner works with far fewer; a co-ordinator
# keeps only those they are assigned to or logged with lately (selectors.learners_kept_offline).
OFFLINE_PEOPLE_LIMIT = 20

# The pages kept for each person, in the order the lists show them.
PERSON_PAGES = (
    ("practice:log_session", "Log a session", "record_session"),
    ("learners:about", "About me", "view_records"),
    ("practice:timeline", "Timeline: the latest sessions", "view_records"),
)

# The theme colour of the installed app: site.css's --brand.
THEME_COLOUR = "#0f6e6a"
BACKGROUND_COLOUR = "#fbfaf7"  # site.css's --paper


def _setting(name: str, default):
    return getattr(settings, name, default)


def offline_settings() -> dict:
    """The numbers the service worker works with, from the settings (all optional):
    OFFLINE_NETWORK_WAIT_SECONDS, how long a page may take before the kept copy is shown instead;
    OFFLINE_REFRESH_MINUTES, how often at most the kept pages are brought up to date;
    OFFLINE_KEEP_HOURS, how long a kept copy may be shown (the longest a sign-in lasts, by default)."""
    return {
        "networkWaitMs": int(float(_setting("OFFLINE_NETWORK_WAIT_SECONDS", 4)) * 1000),
        "refreshMinutes": float(_setting("OFFLINE_REFRESH_MINUTES", 5)),
        "keepHours": float(_setting("OFFLINE_KEEP_HOURS", settings.SESSION_COOKIE_AGE / 3600)),
        "staticUrl": static(""),
        "listUrl": reverse("practice:offline_pages"),
        "offlineUrl": reverse("practice:offline"),
        "loginUrl": reverse("account_login"),
        "copyHeader": OFFLINE_COPY_HEADER,
        "precache": [
            static(f"attunement/{name}")
            for name in (
                *("site.css", "site.js", "offline.js", "offline-list.js", "seen-before.js", "icon.svg"),
                "queue.js",  # without it, Save on a kept quick log would post to no network
                "media-capture.js",  # the quick log's voice-note control, which a kept page loads too
            )
        ],
    }


class OfflineCopyMiddleware:
    """Marks a request the service worker sends to keep a copy of a page (`request.offline_copy`): the page
    leaves out what is only for this moment, and its read entry in the audit trail says it is a kept copy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.offline_copy = request.method in ("GET", "HEAD") and OFFLINE_COPY_HEADER in request.headers
        if request.offline_copy:
            request.audit_detail = dict(OFFLINE_COPY_DETAIL)
        return self.get_response(request)


def _names_no_one(response):
    """A file the same for everyone (no person's data): the browser may keep it but must ask again each time."""
    response["Cache-Control"] = "no-cache"
    response.names_no_one = True  # organisations.caching.NoStoreMiddleware leaves it as it is
    return response


@cache
def _worker_source() -> str:
    path = finders.find("attunement/service-worker.js")
    with open(path, encoding="utf-8") as handle:
        return handle.read()


@require_safe
def service_worker(request):
    """The service worker, from the site's root so that it may look after every page ("/" is its scope). The
    same for everyone, signed in or not: the browser checks it for updates with nobody signed in too."""
    body = f"self.ATTUNEMENT_OFFLINE = {json.dumps(offline_settings())};\n{_worker_source()}"
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return _names_no_one(response)


@require_safe
def web_manifest(request):
    """What a tablet needs to put Attunement on its home screen and open it like an app, with no browser bar."""
    icons = [
        {"src": static("attunement/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
        {"src": static("attunement/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
        {
            "src": static("attunement/icon-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
    ]
    manifest = {
        "name": "Attunement",
        "short_name": "Attunement",
        "description": "Record Intensive Interaction sessions, following the person's lead.",
        "id": "/",
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "lang": "en-GB",
        "icons": icons,
    }
    response = HttpResponse(json.dumps(manifest, indent=2), content_type="application/manifest+json")
    return _names_no_one(response)


def pages_kept_offline(request) -> dict:
    """The pages this member's tablet keeps: the home page, "Log a session" (choosing who), "What is on this
    tablet" and the saves waiting to be sent, then for each of their people (selectors.learners_kept_offline) the
    quick log, About me and the first page of the timeline, each only where the member's role may open it, as the
    page itself checks."""
    actor = request.membership
    pages = []
    if is_staff_member(actor):
        pages.append({"url": reverse("home"), "title": "Home", "person": None})
    if learner_policy.role_may(actor, "record_session"):  # where "Log a session" leads: choosing who
        pages.append({"url": reverse("practice:log"), "title": "Log a session: choose who", "person": None})
    pages.append({"url": reverse("practice:offline"), "title": "What is on this tablet", "person": None})
    # Where the status strip of every page leads while saves wait: the list is read from the tablet, so with no
    # connection it shows what waits, as it does with one.
    pages.append({"url": reverse("practice:offline_queue"), "title": "Saves waiting to be sent", "person": None})
    limit = int(_setting("OFFLINE_PEOPLE_LIMIT", OFFLINE_PEOPLE_LIMIT))
    people, more = selectors.learners_kept_offline(actor=actor, limit=limit) if is_staff_member(actor) else ([], False)
    names = names_for_request(request)
    names.work_out(people)
    listed = []
    for person in people:
        for name, title, action in PERSON_PAGES:
            if learner_policy.role_may(actor, action):
                url = reverse(name, kwargs={"learner_id": person.pk})
                pages.append({"url": url, "title": title, "person": person.pk})
        listed.append({"id": person.pk, "name": names.name(person)})
    return {
        "user": str(request.user.pk),
        "organisation": str(actor.organisation_id),
        "pages": pages,
        "people": listed,
        "people_limit": limit,
        "people_left_off": more,
    }


@member_required
@require_safe
def offline_pages(request):
    """The pages to keep on this tablet for the signed-in member, as JSON, for the service worker."""
    return JsonResponse(pages_kept_offline(request))


@member_required
@require_safe
def offline_page(request):
    """What is on this tablet: the pages kept for use with no connection, by person, and how fresh each is. The
    list itself is read from the tablet (offline-list.js): only the tablet knows what it holds."""
    limit = int(_setting("OFFLINE_PEOPLE_LIMIT", OFFLINE_PEOPLE_LIMIT))
    return render(
        request, "practice/offline.html", {"people_limit": limit, "staff": is_staff_member(request.membership)}
    )

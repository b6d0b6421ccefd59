"""Attunement with no connection, on the server: which pages a member's tablet keeps (only their own people's),
the service worker and the manifest, and what a copy kept on the tablet leaves out."""

import json
import re
from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image

from attunement.learners.models import Assignment
from attunement.organisations.models import AuditEntry, Role
from attunement.practice.offline import OFFLINE_COPY_HEADER, offline_settings
from attunement.practice.services import session_record

from ..conftest import details, login
from .test_views import quick_log_post

LIST = "practice:offline_pages"
COPY = {OFFLINE_COPY_HEADER: "1"}


def _kept(client) -> dict:
    response = client.get(reverse(LIST))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def _person_urls(learner) -> set[str]:
    return {
        reverse("practice:log_session", kwargs={"learner_id": learner.pk}),
        reverse("learners:about", kwargs={"learner_id": learner.pk}),
        reverse("practice:timeline", kwargs={"learner_id": learner.pk}),
    }


@pytest.mark.django_db
def test_a_practitioners_tablet_keeps_home_and_the_three_pages_of_each_of_their_people_only(world, client):
    login(client, world.practitioner)
    kept = _kept(client)
    urls = {page["url"] for page in kept["pages"]}
    everyones = {reverse("practice:offline"), reverse("practice:offline_queue")}
    assert urls == {reverse("home"), reverse("practice:log")} | everyones | _person_urls(world.mine)
    assert kept["people"] == [{"id": world.mine.pk, "name": "Mina"}]
    assert kept["user"] == str(world.practitioner.user_id)
    assert kept["people_left_off"] is False
    for page in kept["pages"]:  # every page listed opens for them, as it will offline
        assert client.get(page["url"]).status_code == 200, page


@pytest.mark.django_db
def test_another_organisations_people_and_people_not_assigned_never_appear(world, client):
    everyone_else = _person_urls(world.unassigned) | _person_urls(world.foreign)
    for role, member in world.members.items():
        login(client, member)
        urls = {page["url"] for page in _kept(client)["pages"]}
        assert not urls & _person_urls(world.foreign), role
        if role in (Role.PRACTITIONER, Role.THERAPIST):
            assert not urls & everyone_else, role
    # A family member and an inspector keep no person's pages and no staff home page: only what is on the tablet
    # and the saves waiting to be sent (both read from the tablet itself).
    for role in (Role.FAMILY, Role.EXTERNAL):
        login(client, world.members[role])
        kept = _kept(client)
        on_the_tablet = [reverse("practice:offline"), reverse("practice:offline_queue")]
        assert [page["url"] for page in kept["pages"]] == on_the_tablet, role
        assert kept["people"] == []


@pytest.mark.django_db
def test_an_ended_assignment_takes_the_person_off_the_list(world, client):
    login(client, world.practitioner)
    assert _person_urls(world.mine) <= {page["url"] for page in _kept(client)["pages"]}
    Assignment.objects.filter(learner=world.mine, user=world.practitioner.user).update(
        ends_on=timezone.localdate() - timedelta(days=1)
    )
    assert not _person_urls(world.mine) & {page["url"] for page in _kept(client)["pages"]}


@pytest.mark.django_db
def test_a_coordinator_keeps_only_the_people_they_work_with_or_logged_with_lately(world, client):
    login(client, world.coordinator)
    assert _kept(client)["people"] == []  # sees the whole organisation, works with nobody yet
    session_record(actor=world.coordinator, learner=world.unassigned, details=details())
    Assignment.objects.create(learner=world.mine, user=world.coordinator.user)
    kept = _kept(client)
    assert [person["id"] for person in kept["people"]] == [world.unassigned.pk, world.mine.pk]  # logged with first
    long_ago = details(started_at=timezone.now() - timedelta(weeks=20))
    old = world.learner(world.school, "Olwen")
    session_record(actor=world.coordinator, learner=old, details=long_ago)
    assert old.pk not in [person["id"] for person in _kept(client)["people"]]


@pytest.mark.django_db
@hypothesis_settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(assigned=st.integers(min_value=0, max_value=6), limit=st.integers(min_value=1, max_value=5))
def test_the_list_is_capped_and_says_so(world, client, settings, assigned, limit):
    settings.OFFLINE_PEOPLE_LIMIT = limit
    member = world.member(world.school, Role.PRACTITIONER, name=f"capped{assigned}x{limit}")
    people = [world.learner(world.school, f"Cap{assigned}x{limit}n{i}", assign=[member]) for i in range(assigned)]
    if people:
        session_record(actor=member, learner=people[-1], details=details())
    login(client, member)
    kept = _kept(client)
    ids = [person["id"] for person in kept["people"]]
    assert len(ids) == min(assigned, limit)
    assert set(ids) <= {person.pk for person in people}
    assert kept["people_left_off"] is (assigned > limit)
    # Home, choosing who to log for, this list and the saves waiting to be sent; then three pages for each person.
    assert len(kept["pages"]) == 4 + 3 * len(ids)
    if people:
        assert ids[0] == people[-1].pk  # the one logged most recently comes first


@pytest.mark.django_db
def test_the_list_and_the_page_need_a_signed_in_member(world, client):
    for name in (LIST, "practice:offline"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and reverse("account_login") in response["Location"], name
        assert client.post(reverse(name)).status_code in (302, 405), name
    login(client, world.practitioner)
    for name in (LIST, "practice:offline"):
        assert client.post(reverse(name)).status_code == 405, name
    page = client.get(reverse("practice:offline"))
    assert "What is on this tablet" in page.content.decode()
    assert page["Cache-Control"] == "no-store, private"


@pytest.mark.django_db
def test_the_service_worker_is_served_from_the_root_the_same_for_everyone(world, client):
    response = client.get("/service-worker.js")
    assert reverse("practice:service_worker") == "/service-worker.js"
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    assert response["Service-Worker-Allowed"] == "/"
    body = response.content.decode()
    assert '"listUrl": "/offline/pages/"' in body and "attunement-pages-" in body
    assert 'if (request.method !== "GET") return;' in body  # saves are never touched
    login(client, world.practitioner)
    assert client.get("/service-worker.js").content == response.content  # names no one
    assert "worker-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_manifest_makes_an_installable_app_with_icons_of_the_right_sizes(client):
    response = client.get(reverse("practice:web_manifest"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    assert manifest["name"] == "Attunement" and manifest["short_name"]
    css = open(finders.find("attunement/site.css"), encoding="utf-8").read()
    assert f"--brand: {manifest['theme_color']};" in css
    purposes = set()
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        with Image.open(path) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"] and image.format == "PNG"
        purposes.add(icon["purpose"])
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in manifest["icons"]}
    assert purposes == {"any", "maskable"}


@pytest.mark.django_db
def test_every_page_links_the_manifest_and_names_its_signed_in_user(world, client):
    login_page = client.get(reverse("account_login")).content.decode()
    assert 'rel="manifest"' in login_page and "data-user=" not in login_page
    login(client, world.practitioner)
    home = client.get(reverse("home")).content.decode()
    assert f'data-user="{world.practitioner.user_id}"' in home
    assert 'data-worker="/service-worker.js"' in home
    assert reverse("practice:offline") in home  # "What is on this tablet", quietly from the home page


@pytest.mark.django_db
def test_a_copy_kept_on_the_tablet_leaves_out_what_is_only_for_this_moment(world, client):
    """A session is saved; before the member's browser opens the timeline, the tablet keeps a copy of it. The copy
    neither shows nor takes the "saved" message, nor says the draft may be forgotten (opened offline later, it
    would forget a new draft); the member's own page then shows both."""
    login(client, world.practitioner)
    timeline = reverse("practice:timeline", kwargs={"learner_id": world.mine.pk})
    log = reverse("practice:log_session", kwargs={"learner_id": world.mine.pk})
    assert client.post(log, quick_log_post())["Location"] == timeline

    copy = client.get(timeline, headers=COPY).content.decode()
    assert "We took turns with the drum." in copy
    assert "Session with Mina saved." not in copy
    assert 'data-clear-draft=""' in copy

    page = client.get(timeline).content.decode()
    assert "Session with Mina saved." in page
    assert f'data-clear-draft="{log}"' in page


@pytest.mark.django_db
def test_the_audit_trail_says_a_read_was_a_copy_kept_on_the_tablet(world, client):
    login(client, world.practitioner)
    about = reverse("learners:about", kwargs={"learner_id": world.mine.pk})
    client.get(about, headers=COPY)
    client.get(about)
    copy, own = AuditEntry.objects.filter(action="profile.read", learner_id=world.mine.pk).order_by("pk")
    assert copy.detail == {"kept_on_this_device": "a copy for use with no connection"}
    assert own.detail == {}
    login(client, world.coordinator)
    assert "Kept on this device: a copy for use with no connection" in client.get(reverse("audit")).content.decode()


@pytest.mark.django_db
def test_every_script_and_style_a_kept_page_needs_is_kept_when_the_worker_installs(world, client):
    """A kept page opened with no connection needs its scripts (the save queue above all: without it, Save posts
    to no network and the session is lost) and its styles. The worker keeps the ones it is told to when it
    installs; any other is kept only if a page loads it once the worker is in charge, which the first page after
    signing in may not be. So the list names every file any kept page loads."""
    login(client, world.practitioner)
    precache = set(offline_settings()["precache"])
    needed = set()
    for page in _kept(client)["pages"]:
        html = client.get(page["url"], headers=COPY).content.decode()
        needed |= set(re.findall(r'<script\b[^>]*\bsrc="([^"]+)"', html))
        needed |= set(re.findall(r'<link\b[^>]*\brel="stylesheet"[^>]*\bhref="([^"]+)"', html))
    assert static("attunement/queue.js") in needed
    assert needed <= precache, needed - precache

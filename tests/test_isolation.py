"""Walk every URL of the application and check that nobody reaches a person they may not see."""

import io
import json
import uuid
from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from PIL import Image

from attunement.api.models import ApiKey
from attunement.api.policies import KEY_ROLES
from attunement.api.services import api_key_create
from attunement.coding.model import DEFAULT_ETHOGRAM, Coding, Event
from attunement.codings.selectors import ethogram_codes
from attunement.codings.services import coding_pass_save, event_code
from attunement.interaction.models import VideoAnalysis
from attunement.learners.models import Assignment, Group, Plan
from attunement.learners.photos import replace_photo
from attunement.learners.policies import learner_policy
from attunement.members.models import Invitation, token_digest
from attunement.members.policies import member_policy
from attunement.organisations.models import AuditEntry, Membership, Role
from attunement.outcomes.dashboard import ALERT_LISTS
from attunement.outcomes.models import TermStart
from attunement.outcomes.policies import may_read_pack, report_policy
from attunement.practice.models import Fundamental, SessionMedia
from attunement.practice.services import RatingInput, review_record, session_record
from attunement.privacy.models import Consent
from attunement.reflection.models import Clip, SessionVideo
from attunement.reflection.video_services import comment_add, video_share

from .conftest import details, login, shown
from .means.conftest import means_records_of

SKIP_NAMESPACES = {"admin"}


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# One-time tokens in the login, password-reset and invitation links, and the name of an organisation's own sign-in
# (provider_id), not records: they are tested with the sign-in flows (tests/members, tests/e2e/test_single_sign_on).
# A daily e-mail's unsubscribe link (`token`) names its member by signature, for use signed out: tested in
# tests/notifications.
LOGIN_TOKENS = {"key", "uidb36", "uidb64", "token", "provider_id"}
# Parameters that choose a view of the organisation, not a record: such pages are walked with the pages
# that name no record, with every value.
CHOICES = {
    "audience": ["inspectors", "commissioners", "funders", "management"],
    "alert": list(ALERT_LISTS),  # the dashboard's alert lists
}


def all_named_routes():
    def walk(patterns, namespace="", outer=()):
        for pattern in patterns:
            params = [*outer, *pattern.pattern.regex.groupindex]  # an include's own parameters come first
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace or ""
                if ns in SKIP_NAMESPACES:
                    continue
                yield from walk(pattern.url_patterns, f"{namespace}{ns}:" if ns else namespace, params)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}{pattern.name}", params

    return [(name, params) for name, params in walk(get_resolver().url_patterns) if not LOGIN_TOKENS & set(params)]


def records_of(world, learner, actor):
    """One record of each kind belonging to `learner`, keyed by the URL parameter that names it."""
    session = session_record(actor=actor, learner=learner, details=details(what_happened=f"Secret {learner}")).session
    scale = learner.organisation.progress_scale
    review = review_record(
        actor=actor,
        learner=learner,
        scale=scale,
        reviewed_on=session.started_at.date(),
        ratings=[
            RatingInput(
                level_id=scale.levels.first().pk,
                fundamental_id=Fundamental.objects.filter(organisation=learner.organisation).first().pk,
            )
        ],
    )
    plan = Plan.objects.create(learner=learner, kind="care")
    picture = io.BytesIO()
    Image.new("RGB", (8, 8)).save(picture, format="PNG")
    replace_photo(learner, picture)
    fundamental = Fundamental.objects.filter(organisation=learner.organisation).first()
    consent = Consent.objects.create(
        learner=learner,
        purpose="video",
        given_by="person",
        starts_on=timezone.localdate(),
        review_on=timezone.localdate() + timedelta(days=365),
    )
    Consent.objects.create(  # sharing with family agreed, so family pages answer by role alone here
        learner=learner,
        purpose="family",
        given_by="person",
        starts_on=timezone.localdate(),
        review_on=timezone.localdate() + timedelta(days=365),
    )
    assignment = Assignment.objects.get_or_create(learner=learner, user=actor.user)[0]
    coding = Coding(DEFAULT_ETHOGRAM, (Event(1.0, "L-smiles", "learner"),), media_duration=10.0)
    coding_pass = coding_pass_save(actor=actor, session=session, coding=coding, source="entered", title="Secret pass")
    code = ethogram_codes(actor=actor).first()
    video = SessionVideo.objects.create(
        session=session,
        uploaded_by=actor,
        folder=f"walk{SessionVideo.objects.count()}{learner.pk}",
        original="videos/walk/original.mp4",
        size_bytes=1,
        duration=10.0,
        width=640,
        height=360,
    )
    event = event_code(actor=actor, video=video, code_key="L-smiles", time=1.0)
    comment = comment_add(actor=actor, video=video, time=1.0, text="Secret comment")
    colleague = world.member(
        learner.organisation, "practitioner", name=f"walker{SessionVideo.objects.count()}{actor.pk}"
    )
    share = video_share(actor=actor, video=video, member=colleague)
    clip = Clip.objects.create(video=video, start=0, end=2, title="Secret clip", added_by=actor)
    analysis = VideoAnalysis.objects.create(video=video)
    media = SessionMedia(
        session=session,
        kind="photo",
        added_by=actor,
        folder=f"walk{SessionMedia.objects.count()}{learner.pk}",
        content_type="image/png",
        size_bytes=1,
    )
    media.file.save("photo.png", ContentFile(picture.getvalue()))
    invitation = Invitation.objects.create(
        organisation=learner.organisation,
        email=f"secret.invitee{Invitation.objects.count()}@example.org",
        role="practitioner",
        token_digest=token_digest(f"walk{Invitation.objects.count()}{actor.pk}"),
        sent_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=7),
    )
    key_maker = world.member(learner.organisation, Role.ADMINISTRATOR, name=f"keymaker{ApiKey.objects.count()}")
    key = api_key_create(actor=key_maker, name=f"Walk key {ApiKey.objects.count()}", role=Role.COORDINATOR).key
    group = Group.objects.create(organisation=learner.organisation, name=f"Secret class {Group.objects.count()}")
    term = TermStart.objects.create(
        organisation=learner.organisation, starts_on=date(2026, 9, 1) + timedelta(days=TermStart.objects.count())
    )
    return {
        "person_id": learner.pk,
        "key_id": key.pk,
        "group_id": group.pk,
        "term_id": term.pk,
        "kind": "evidence",
        "membership_id": colleague.pk,
        "invitation_id": invitation.pk,
        "assignment_id": assignment.pk,
        "pass_id": coding_pass.pk,
        "video_id": video.pk,
        "event_id": event.pk,
        "comment_id": comment.pk,
        "share_id": share.pk,
        "clip_id": clip.pk,
        "analysis_id": analysis.pk,
        "media_id": media.pk,
        "code_id": code.pk,
        "consent_id": consent.pk,
        "learner_id": learner.pk,
        "session_id": session.pk,
        "review_id": review.pk,
        "plan_id": plan.pk,
        "fundamental_id": fundamental.pk,
        "scale_id": scale.pk,
        **means_records_of(world, actor),
    }


@pytest.mark.django_db
def test_every_url_with_a_record_refuses_records_the_user_may_not_see(world, client):
    routes = [(name, params) for name, params in all_named_routes() if params and not set(params) <= set(CHOICES)]
    assert any("learner_id" in params for _, params in routes), "the walk found no per-person pages"
    cases = [
        (world.coordinator, records_of(world, world.foreign, world.other_coordinator), "another organisation"),
        (world.practitioner, records_of(world, world.unassigned, world.coordinator), "an unassigned person"),
    ]
    for member, records, what in cases:
        login(client, member)
        for name, params in routes:
            url = reverse(name, kwargs={p: records[p] for p in params})
            for method in (client.get, client.post):
                response = method(url)
                # The API takes keys, not a signed-in browser (walked with keys below).
                refusals = (401, 405) if name.startswith("api:") else (403, 404, 405)
                assert response.status_code in refusals, f"{member.role} reached {what} at {url}"
                assert "Secret" not in shown(response)


@pytest.mark.django_db
def test_every_page_without_a_record_never_names_another_organisations_people(world, client):
    records_of(world, world.foreign, world.other_coordinator)
    for role, member in world.members.items():
        login(client, member)
        for name, params in all_named_routes():
            if (params and not set(params) <= set(CHOICES)) or name in ("logout", "switch_organisation"):
                continue
            choices = [
                dict(zip(params, values, strict=True)) for values in zip(*(CHOICES[p] for p in params), strict=True)
            ]
            for kwargs in choices or [{}]:
                response = client.get(reverse(name, kwargs=kwargs))
                assert "Faro" not in shown(response), f"{role} saw another organisation's person on {name}"


@pytest.mark.django_db
def test_a_user_in_two_organisations_sees_only_the_active_one(world, client):
    from attunement.organisations.services import membership_add

    membership_add(organisation=world.other, user=world.coordinator.user, role=Role.PRACTITIONER)
    login(client, world.coordinator)
    assert "Faro" not in shown(client.get(reverse("learners:list")))
    client.post(reverse("switch_organisation"), {"organisation": world.other.pk})
    page = shown(client.get(reverse("learners:list")))
    assert "Mina" not in page and "Una" not in page
    assert client.get(reverse("learners:about", kwargs={"learner_id": world.mine.pk})).status_code == 404


METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


class _Undo(Exception):
    pass


def _answer_and_reads(client, method, url, member, learner, **headers):
    """Send one request inside a savepoint that is rolled back afterwards, so a walk may POST to every page
    (deleting, ending, erasing) and the next request still finds the same records. Returns the response and
    the read entries it wrote for `member` about `learner`, as (action, address) pairs."""
    reads = AuditEntry.objects.filter(action__endswith=".read", actor_id=member.user_id, learner_id=learner.pk)
    outcome = {}
    try:
        with transaction.atomic():
            before = reads.count()
            outcome["response"] = client.generic(method, url, headers=headers)
            outcome["written"] = list(reads.order_by("-pk").values_list("action", "address")[: reads.count() - before])
            raise _Undo
    except _Undo:
        pass
    return outcome["response"], outcome["written"]


def _check_answer(response, written, allowed_methods, where):
    """Each method either is refused, redirects, or shows something and wrote a read entry."""
    status = response.status_code
    if status == 405:
        allow = {m.strip() for m in response.headers.get("Allow", "").split(",")}
        assert allow == set(allowed_methods), f"{where}: 405 must name the methods the page answers, got {allow}"
        assert not written, f"{where}: a refusal recorded a read"
        return "refused"
    if 300 <= status < 400:
        return "redirected"
    if status in (403, 404):
        assert not written, f"{where}: a refusal recorded a read"
        return "refused"
    assert written, f"{where} answered {status} with the person's data and wrote no audit entry"
    return "read"


@pytest.mark.django_db
def test_every_page_about_a_person_does_what_the_policy_says_for_every_role(world, client):
    """Each role, against its own person, another person of its organisation and another organisation's
    person, with every method: the page answers exactly as the policy does, answers only the methods it
    serves (405 and an Allow header otherwise), and every answer that shows something wrote a read entry.
    New pages join this walk by themselves."""
    people = {
        "own": (world.mine, world.practitioner),
        "same organisation": (world.unassigned, world.coordinator),
        "other organisation": (world.foreign, world.other_coordinator),
    }
    records = {label: records_of(world, learner, author) for label, (learner, author) in people.items()}
    routes = [(name, params) for name, params in all_named_routes() if "learner_id" in params]
    read_somewhere = set()
    for role, member in world.members.items():
        login(client, member)
        for label, (learner, _) in people.items():
            for name, params in routes:
                url = reverse(name, kwargs={p: records[label][p] for p in params})
                view = resolve(url).func
                action, methods = view.learner_action, view.allowed_methods
                assert view.learner_reads, f"{name} shows a person's data but names nothing to record"
                visible = learner_policy.scope(member).filter(pk=learner.pk).exists()
                allowed = learner_policy.allows(member, action, learner)
                # A page about one record may also follow that record's own rule (who may correct a session).
                if allowed and hasattr(view, "record_allows"):
                    allowed = view.record_allows(member, {p: records[label][p] for p in params})
                expected = "allowed" if allowed else ("forbidden" if visible else "not found")
                # Refused before the method is looked at: a few methods show the refusal never depends on it.
                for method in METHODS if allowed else ("GET", "POST", "OPTIONS"):
                    where = f"{role} {method} on {label}'s {name}"
                    response, written = _answer_and_reads(client, method, url, member, learner)
                    got = {403: "forbidden", 404: "not found"}.get(response.status_code, "allowed")
                    if expected != "allowed" or (method == "GET" and method in methods):
                        assert got == expected, f"{where}: policy says {expected}, page said {response.status_code}"
                    if expected == "allowed" and method not in methods:
                        assert response.status_code == 405, f"{where}: answered {response.status_code}, not 405"
                    if _check_answer(response, written, methods, where) == "read":
                        read_somewhere.add(name)
                        assert written == [(f"{view.learner_reads}.read", "127.0.0.1")], where
    never_read = {name for name, _ in routes} - read_somewhere
    # Adding or deleting a photo or a voice note, or saving who is who in a coding, answers with a redirect, never data.
    never_shows_data = {
        "learners:assignment_end",
        "reflection:delete",
        "reflection:pass_people",
        "practice:session_media_add",
        "practice:session_media_delete",
    }
    assert never_read <= never_shows_data, f"never answered with data: {never_read}"


def _media_files(video, clip):
    """Small stand-ins for the proxy, the poster and a clip, so the file views answer."""
    storage = video.proxy.storage
    video.proxy = storage.save(f"videos/{video.folder}/proxy.mp4", ContentFile(b"0123456789" * 100))
    video.poster = storage.save(f"videos/{video.folder}/poster.jpg", ContentFile(b"0123456789" * 100))
    video.status = "ready"
    video.save()
    clip.file = storage.save(f"videos/{video.folder}/clip.mp4", ContentFile(b"0123456789" * 100))
    clip.save()


# Pages that only show: anything but GET and HEAD is refused.
READ_ONLY = {
    "practice:media_file",
    "reflection:video",
    "reflection:video_status",
    "reflection:video_proxy",
    "reflection:video_poster",
    "reflection:video_original",
    "reflection:library_clip",
    "reflection:library_clip_file",
    "outcomes:my_practice",
    "outcomes:carer_report",
    "outcomes:therapist_report",
}


@pytest.mark.django_db
def test_every_video_clip_and_practice_report_answer_with_data_is_audited_for_every_method(world, client):
    """The pages not under `learner_page` that carry a person's data: the video player and its JSON, the
    video's files (whole and in parts), the clip library and the practice reports naming the people worked
    with. Every method by every role is refused, redirects, or wrote a read entry about the person."""
    learner = world.mine
    records = records_of(world, learner, world.practitioner)
    Consent.objects.create(
        learner=learner,
        purpose="training",
        given_by="person",
        starts_on=timezone.localdate(),
        review_on=timezone.localdate() + timedelta(days=365),
    )
    video = SessionVideo.objects.get(pk=records["video_id"])
    _media_files(video, Clip.objects.get(pk=records["clip_id"]))
    kinds = {"video_id", "clip_id", "media_id"}
    routes = [(name, params) for name, params in all_named_routes() if kinds & set(params)]
    reports = [("outcomes:my_practice", []), ("outcomes:carer_report", []), ("outcomes:therapist_report", [])]
    read_somewhere = set()
    for role, member in world.members.items():
        login(client, member)
        for name, params in routes + reports:
            url = reverse(name, kwargs={p: records[p] for p in params})
            if (name, params) in reports and b"Mina" not in client.get(url).content:
                continue  # a report that names nobody shows no one's data
            for method in METHODS:
                for headers in ({}, {"Range": "bytes=10-99"}) if name.endswith("_file") or "proxy" in name else ({},):
                    where = f"{role} {method} {headers} on {name}"
                    response, written = _answer_and_reads(client, method, url, member, learner, **headers)
                    allow = {m.strip() for m in response.headers.get("Allow", "").split(",")}
                    if method not in ("GET", "HEAD", "POST") or (method == "POST" and name in READ_ONLY):
                        assert response.status_code in (403, 404, 405), f"{where} answered {response.status_code}"
                    if _check_answer(response, written, allow, where) == "read":
                        read_somewhere.add(name)
                        if headers:
                            assert response.status_code == 206, where
    must_be_read = (READ_ONLY - {"reflection:video_original"}) | {"reflection:video_events"}
    assert must_be_read <= read_somewhere, f"never answered with data: {must_be_read - read_somewhere}"


@pytest.mark.django_db
def test_a_practice_report_records_a_read_for_each_person_it_names(world, client):
    session_record(actor=world.practitioner, learner=world.mine, details=details())
    login(client, world.practitioner)
    response = client.get(reverse("outcomes:my_practice"))
    assert b"Mina" in response.content
    entry = AuditEntry.objects.get(action="practice_report.read")
    assert (entry.learner_id, entry.actor_id) == (world.mine.pk, world.practitioner.user_id)
    login(client, world.members[Role.THERAPIST])
    client.get(reverse("outcomes:therapist_report"), {"format": "pdf"})
    assert AuditEntry.objects.filter(action="therapist_report.read", learner_id=world.mine.pk).count() == 1
    assert not AuditEntry.objects.filter(action="therapist_report.read").exclude(learner_id=world.mine.pk).exists()


@pytest.mark.django_db
def test_every_page_of_the_application_refuses_methods_it_does_not_serve(world, client):
    """PUT, PATCH, DELETE and OPTIONS are served by no page of the application: each answers 405 with the
    methods it does serve, or refuses the role first, and never shows anything."""
    records = records_of(world, world.mine, world.practitioner)
    routes = [(n, p) for n, p in all_named_routes() if not set(p) - set(records) - set(CHOICES)]
    checked = 0
    for role in (Role.COORDINATOR, Role.PRACTITIONER):
        login(client, world.members[role])
        for name, params in routes:
            kwargs = {p: records[p] if p in records else CHOICES[p][0] for p in params}
            url = reverse(name, kwargs=kwargs)
            module = resolve(url).func.__module__
            if not module.startswith("attunement.") or module.startswith("attunement.accounts"):
                continue  # the sign-in pages are allauth's, tested with the login flows
            for method in ("PUT", "PATCH", "DELETE", "OPTIONS"):
                response = client.generic(method, url)
                assert response.status_code in (403, 404, 405), f"{role} {method} {name}: {response.status_code}"
                if response.status_code == 405:
                    assert response["Allow"] and method not in response["Allow"], name
                    checked += 1
    assert checked > 100


# What each API route about one person asks of the person's policy, by method, as the matching page does.
API_PERSON_ACTIONS = {
    ("api:person", "GET"): "view",
    ("api:person", "PATCH"): "edit",
    ("api:sessions", "GET"): "view_records",
    ("api:sessions", "POST"): "record_session",
    ("api:progress", "GET"): "view_records",
}
# What it shows, as the read entry names it.
API_READS = {
    ("api:person", "GET"): "details",
    ("api:person", "PATCH"): "details",
    ("api:sessions", "GET"): "timeline",
    ("api:sessions", "POST"): "session",
    ("api:progress", "GET"): "progress",
}
# The routes about the organisation as a whole, and who may reach each.
API_ORGANISATION_RULES = {
    ("api:people", "GET"): lambda key, _: learner_policy.role_may(key, "view"),
    ("api:people", "POST"): lambda key, _: learner_policy.role_may(key, "create"),
    ("api:summary", "GET"): lambda key, _: report_policy.role_may(key, "view_summary"),
    ("api:dashboard", "GET"): lambda key, _: report_policy.role_may(key, "view_dashboard"),
    ("api:pack", "GET"): may_read_pack,
    ("api:members", "GET"): lambda key, _: member_policy.role_may(key, "view"),
    ("api:invitations", "GET"): lambda key, _: member_policy.role_may(key, "view"),
    ("api:invitations", "POST"): lambda key, _: member_policy.role_may(key, "invite"),
}
# The routes about one member or invitation, and what each asks of the member policy, as the members pages do: the
# role first (403), then the record within the organisation (404).
API_MEMBER_ACTIONS = {
    ("api:member", "GET"): "view",
    ("api:member", "PATCH"): "change",
    ("api:member_end_access", "POST"): "end_access",
    ("api:invitation_send_again", "POST"): "invite",
    ("api:invitation_withdraw", "POST"): "invite",
}
# The schema and its documentation page describe the API and show no one's data: open to anyone.
API_OPEN = {"api:openapi-json", "api:openapi-view"}
# The API's own address answers nothing (404): it only roots the others.
API_ROOT = "api:api-root"


def _api_bodies(world, learner):
    session = {
        "submission_key": "",
        "started_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "minutes": 10,
        "partner_ids": [world.practitioner.user_id],
        "what_happened": "Sent by the walk",
    }
    return {
        ("api:person", "PATCH"): {"version": learner.version, "preferred_name": "Walked"},
        ("api:sessions", "POST"): session,
        ("api:people", "POST"): {"first_name": "Walker", "last_name": "New"},
        ("api:member", "PATCH"): {"role": "therapist"},
        ("api:invitations", "POST"): {"email": "walked@example.org", "role": "practitioner"},
    }


def _api_answer(client, method, url, secret, body, reads):
    """One API request inside a savepoint rolled back afterwards; the response and the read entries it wrote."""
    if body is not None and "submission_key" in body:
        body = {**body, "submission_key": str(uuid.uuid4())}
    outcome = {}
    try:
        with transaction.atomic():
            before = set(reads.values_list("pk", flat=True))
            outcome["response"] = client.generic(
                method,
                url,
                json.dumps(body) if body is not None else "",
                "application/json",
                headers={"Authorization": f"Bearer {secret}"},
            )
            outcome["written"] = list(reads.exclude(pk__in=before).values_list("action", "address"))
            raise _Undo
    except _Undo:
        pass
    return outcome["response"], outcome["written"]


@pytest.mark.django_db
def test_every_api_route_answers_a_key_of_each_role_as_the_pages_answer_that_role(world, client, settings):
    """A key acts as a member in its role: for every role a key may have, every API route and method, against a
    person of the key's organisation and one of another organisation, the answer matches the policy (403 when the
    person is visible but the action is not allowed, 404 when not visible), never shows another organisation's
    data, and every answer with a person's data wrote that person's read entry under the key's name. Members
    signed in with a browser, of every role, get 401 from every route but the schema and its page."""
    settings.API_REQUESTS_PER_MINUTE = 100_000
    routes = [(name, params) for name, params in all_named_routes() if name.startswith("api:")]
    known = (
        {name for name, _ in {**API_PERSON_ACTIONS, **API_ORGANISATION_RULES, **API_MEMBER_ACTIONS}}
        | API_OPEN
        | {API_ROOT}
    )
    assert {name for name, _ in routes} == known, "a new API route needs its rule in this walk"
    people = {"own organisation": world.unassigned, "other organisation": world.foreign}
    records = {
        label: records_of(world, learner, world.coordinator if label == "own organisation" else world.other_coordinator)
        for label, learner in people.items()
    }
    theirs = records["other organisation"]
    their_addresses = [
        Membership.objects.get(pk=theirs["membership_id"]).user.email,
        Invitation.objects.get(pk=theirs["invitation_id"]).email,
        world.other_coordinator.user.email,
    ]
    secrets = {}
    for role in KEY_ROLES:
        made = api_key_create(actor=world.members[Role.ADMINISTRATOR], name=f"Walk {role}", role=role)
        secrets[role] = (made.key, made.secret)
    for role, (key, secret) in secrets.items():
        actor = key.acting_membership()
        for label, learner in people.items():
            reads = AuditEntry.objects.filter(action__endswith=".read", actor_id=key.user_id, learner_id=learner.pk)
            bodies = _api_bodies(world, learner)
            for name, params in routes:
                if name in API_OPEN or name == API_ROOT:
                    continue
                choices = CHOICES["audience"] if "audience" in params else [None]
                for audience in choices:
                    kwargs = {p: records[label][p] for p in params if p != "audience"}
                    if audience:
                        kwargs["audience"] = audience
                    url = reverse(name, kwargs=kwargs)
                    methods = [
                        m
                        for (n, m) in {**API_PERSON_ACTIONS, **API_ORGANISATION_RULES, **API_MEMBER_ACTIONS}
                        if n == name
                    ]
                    for method in methods:
                        where = f"{role} key {method} {url} ({label})"
                        response, written = _api_answer(client, method, url, secret, bodies.get((name, method)), reads)
                        status = response.status_code
                        assert (
                            "Faro" not in response.content.decode()
                            or label == "other organisation"
                            and status in (403, 404)
                        ), where
                        assert not any(address in response.content.decode() for address in their_addresses), where
                        if "person_id" in params:
                            action = API_PERSON_ACTIONS[(name, method)]
                            visible = learner_policy.scope(actor).filter(pk=learner.pk).exists()
                            allowed = learner_policy.allows(actor, action, learner)
                            expected = "allowed" if allowed else ("forbidden" if visible else "not found")
                            assert not (label == "other organisation" and visible), where
                        elif (name, method) in API_MEMBER_ACTIONS:
                            may = member_policy.role_may(actor, API_MEMBER_ACTIONS[(name, method)])
                            ours = label == "own organisation"
                            expected = "forbidden" if not may else "allowed" if ours else "not found"
                        else:
                            allowed = API_ORGANISATION_RULES[(name, method)](actor, audience)
                            expected = "allowed" if allowed else "forbidden"
                        got = {403: "forbidden", 404: "not found"}.get(status, "allowed")
                        assert got == expected, f"{where}: policy says {expected}, the API said {status}"
                        assert status in (200, 201, 403, 404), f"{where}: {status} {response.content[:300]}"
                        if "person_id" in params and 200 <= status < 300:
                            assert written == [(f"{API_READS[(name, method)]}.read", "127.0.0.1")], where
                        elif "person_id" in params:
                            assert not written, f"{where}: a refusal recorded a read"
    for role, member in world.members.items():
        login(client, member)
        for name, params in routes:
            kwargs = {p: records["own organisation"][p] if p != "audience" else "inspectors" for p in params}
            posted_only = (name, "GET") not in {**API_PERSON_ACTIONS, **API_ORGANISATION_RULES, **API_MEMBER_ACTIONS}
            posted_only = posted_only and name not in API_OPEN and name != API_ROOT
            send = client.post if posted_only else client.get
            status = send(reverse(name, kwargs=kwargs)).status_code
            expected = 200 if name in API_OPEN else 404 if name == API_ROOT else 401
            assert status == expected, f"signed-in {role} on {name}: {status}"


# The installed app's own files (practice/offline.py): the same for everyone, naming no one, and open with nobody
# signed in, because the browser checks the service worker for updates whoever is signed in, or nobody.
OPEN_APP_FILES = {"practice:service_worker", "practice:web_manifest"}
# The pages kept on a tablet for use with no connection: the list of them, and the page showing what is kept.
OFFLINE_PAGES = {"practice:offline_pages", "practice:offline"}
# Asked for by the page before kept saves are sent (practice/offline_queue.py): with nobody signed in it answers
# 401 in JSON, never the sign-in page, so the saves wait on the tablet for their user.
QUEUE_TOKEN = "practice:offline_queue_token"


@pytest.mark.django_db
def test_with_nobody_signed_in_only_the_apps_own_files_open(world, client):
    routes = [(n, p) for n, p in all_named_routes() if not p and not n.startswith("api:")]
    names = {name for name, _ in routes}
    assert OPEN_APP_FILES | OFFLINE_PAGES <= names, "the walk must reach the offline pages"
    for name, _ in routes:
        url = reverse(name)
        module = resolve(url).func.__module__
        if not module.startswith("attunement.") or module.startswith("attunement.accounts"):
            continue  # the sign-in pages are allauth's, tested with the login flows
        response = client.get(url)
        if name in OPEN_APP_FILES:
            assert response.status_code == 200, name
            assert "Mina" not in shown(response) and "Faro" not in shown(response), name
        elif name == QUEUE_TOKEN:
            assert (response.status_code, response.json()) == (401, {"state": "signed_out"}), name
        elif response.status_code != 404:
            assert response.status_code == 302 and reverse("account_login") in response["Location"], name


@pytest.mark.django_db
def test_every_page_a_tablet_keeps_is_one_its_member_may_open_about_people_in_their_scope(world, client):
    """For every role, the offline list names only people in the member's scope and pages that open for them,
    so a tablet never keeps what the member could not open with a connection."""
    records_of(world, world.mine, world.practitioner)
    records_of(world, world.foreign, world.other_coordinator)
    for role, member in world.members.items():
        Assignment.objects.get_or_create(learner=world.unassigned, user=member.user)  # work with someone
        login(client, member)
        kept = client.get(reverse("practice:offline_pages")).json()
        scope = set(learner_policy.scope(member).values_list("pk", flat=True))
        assert {person["id"] for person in kept["people"]} <= scope, role
        assert world.foreign.pk not in {person["id"] for person in kept["people"]}, role
        for page in kept["pages"]:
            assert client.get(page["url"]).status_code == 200, f"{role}: {page['url']}"

"""Walk every URL of the application and check that nobody reaches a person they may not see."""

import io
from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from PIL import Image

from attunement.coding.model import DEFAULT_ETHOGRAM, Coding, Event
from attunement.learners.models import Assignment, Plan
from attunement.learners.photos import replace_photo
from attunement.learners.policies import learner_policy
from attunement.organisations.models import AuditEntry, Role
from attunement.practice.models import Fundamental
from attunement.practice.services import RatingInput, review_record, session_record
from attunement.privacy.models import Consent
from attunement.reflection.models import Clip, SessionVideo, VideoAnalysis
from attunement.reflection.selectors import ethogram_codes
from attunement.reflection.services import coding_pass_save
from attunement.reflection.video_services import comment_add, event_code, video_share

from .conftest import details, login
from .means.conftest import means_records_of

SKIP_NAMESPACES = {"admin"}


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# One-time tokens in the login and password-reset links, not records: they are tested with the login flows.
LOGIN_TOKENS = {"key", "uidb36", "uidb64", "token"}
# Parameters that choose a view of the organisation, not a record: such pages are walked with the pages
# that name no record, with every value.
CHOICES = {"audience": ["inspectors", "commissioners", "funders", "management"]}


def all_named_routes():
    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace or ""
                if ns in SKIP_NAMESPACES:
                    continue
                yield from walk(pattern.url_patterns, f"{namespace}{ns}:" if ns else namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}{pattern.name}", list(pattern.pattern.regex.groupindex)

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
    return {
        "kind": "evidence",
        "assignment_id": assignment.pk,
        "pass_id": coding_pass.pk,
        "video_id": video.pk,
        "event_id": event.pk,
        "comment_id": comment.pk,
        "share_id": share.pk,
        "clip_id": clip.pk,
        "analysis_id": analysis.pk,
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
                assert response.status_code in (403, 404, 405), f"{member.role} reached {what} at {url}"
                assert b"Secret" not in response.content


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
                assert b"Faro" not in response.content, f"{role} saw another organisation's person on {name}"


@pytest.mark.django_db
def test_a_user_in_two_organisations_sees_only_the_active_one(world, client):
    from attunement.organisations.services import membership_add

    membership_add(organisation=world.other, user=world.coordinator.user, role=Role.PRACTITIONER)
    login(client, world.coordinator)
    assert b"Faro" not in client.get(reverse("learners:list")).content
    client.post(reverse("switch_organisation"), {"organisation": world.other.pk})
    page = client.get(reverse("learners:list")).content
    assert b"Mina" not in page and b"Una" not in page
    assert client.get(reverse("learners:about", kwargs={"learner_id": world.mine.pk})).status_code == 404


@pytest.mark.django_db
def test_every_page_about_a_person_does_what_the_policy_says_for_every_role(world, client):
    """Each role, against its own person, another person of its organisation and another organisation's
    person: the page answers exactly as the policy does. New pages join this walk by themselves."""
    people = {
        "own": (world.mine, world.practitioner),
        "same organisation": (world.unassigned, world.coordinator),
        "other organisation": (world.foreign, world.other_coordinator),
    }
    records = {label: records_of(world, learner, author) for label, (learner, author) in people.items()}
    routes = [(name, params) for name, params in all_named_routes() if "learner_id" in params]
    for role, member in world.members.items():
        login(client, member)
        for label, (learner, _) in people.items():
            for name, params in routes:
                url = reverse(name, kwargs={p: records[label][p] for p in params})
                action = resolve(url).func.learner_action
                visible = learner_policy.scope(member).filter(pk=learner.pk).exists()
                allowed = learner_policy.allows(member, action, learner)
                reads_before = AuditEntry.objects.filter(action__endswith=".read", learner_id=learner.pk).count()
                status = client.get(url).status_code
                expected = "allowed" if allowed else ("forbidden" if visible else "not found")
                got = {403: "forbidden", 404: "not found"}.get(status, "allowed")
                assert got == expected, f"{role} on {label}'s {name}: policy says {expected}, page said {status}"
                reads = resolve(url).func.learner_reads
                if got == "allowed" and reads:
                    entry = AuditEntry.objects.filter(action=f"{reads}.read", learner_id=learner.pk).first()
                    assert entry is not None and entry.actor_id == member.user_id, f"{name} read was not audited"
                    assert entry.address == "127.0.0.1"
                    assert AuditEntry.objects.filter(action__endswith=".read", learner_id=learner.pk).count() == (
                        reads_before + 1
                    )
                if expected != "allowed":
                    assert client.post(url).status_code == status, f"{role} could post to {label}'s {name}"

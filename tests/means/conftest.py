import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from attunement.means.policies import LEADER_ROLES
from attunement.means.services import (
    ActionInput,
    champion_appoint,
    supervision_meeting_record,
    training_completion_record,
)
from attunement.organisations.models import Membership, Role


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def today():
    return timezone.localdate()


def pdf(name="certificate.pdf", size=None) -> SimpleUploadedFile:
    content = b"%PDF-1.4\n% a tiny test certificate\n%%EOF\n"
    if size:
        content = content + b"0" * (size - len(content))
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png(name="certificate.png") -> SimpleUploadedFile:
    picture = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(picture, format="PNG")
    return SimpleUploadedFile(name, picture.getvalue(), content_type="image/png")


def course_named(organisation, name):
    return organisation.courses.get(name=name)


def a_completion(world, staff=None, *, actor=None, course="Yearly refresher", days_ago=10, certificate=None):
    staff = staff or world.practitioner
    return training_completion_record(
        actor=actor or world.coordinator,
        staff=staff,
        course=course_named(staff.organisation, course),
        completed_on=today() - timedelta(days=days_ago),
        provider="Intensive Interaction Institute",
        certificate=certificate,
    )


def a_meeting(world, *, actor=None, supervisor=None, supervisee=None, actions=(), **extra):
    supervisor = supervisor or world.coordinator
    supervisee = supervisee or world.practitioner
    return supervision_meeting_record(
        actor=actor or world.coordinator,
        supervisor=supervisor,
        supervisee=supervisee,
        met_on=extra.pop("met_on", today() - timedelta(days=3)),
        notes=extra.pop("notes", "Talked about following Mina's lead."),
        actions=[ActionInput(text=text, owner=owner, due_on=due) for text, owner, due in actions],
        **extra,
    )


def means_records_of(world, actor):
    """One record of each kind the means URLs name, in `actor`'s organisation, keyed by URL parameter: for the
    URL walk in tests/test_isolation.py. The records belong to `actor` and a new colleague (a champion named by
    a leader of the organisation), so nobody else on the staff but leaders may see the training or meeting."""
    organisation = actor.organisation
    fresh = Membership.objects.count()  # a new colleague each call, so the walk may call this more than once
    colleague = world.member(organisation, Role.THERAPIST, name=f"colleague{actor.pk}-{fresh}")
    completion = training_completion_record(
        actor=actor,
        staff=actor,
        course=course_named(organisation, "Induction"),
        completed_on=today(),
        provider="Secret provider",
        certificate=pdf(),
    )
    meeting = supervision_meeting_record(
        actor=actor,
        supervisor=actor,
        supervisee=colleague,
        met_on=today(),
        notes="Secret notes",
        actions=[ActionInput(text="Secret action", owner=colleague, due_on=today())],
    )
    leader = actor if actor.role in LEADER_ROLES else organisation.memberships.filter(role__in=LEADER_ROLES).first()
    champion = champion_appoint(actor=leader, staff=colleague)
    return {
        "course_id": completion.course_id,
        "completion_id": completion.pk,
        "action_id": meeting.actions.get().pk,
        "champion_id": champion.pk,
    }

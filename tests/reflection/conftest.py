from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from attunement.coding.model import DEFAULT_ETHOGRAM, Coding, Event
from attunement.codings.services import coding_pass_save
from attunement.practice.services import session_record

from ..conftest import details

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference"


def reference(name: str) -> Path:
    path = REFERENCE / name
    if not path.exists():
        pytest.skip(f"reference file {name} is not here")
    return path


def a_session(world, learner=None, actor=None):
    return session_record(
        actor=actor or world.practitioner, learner=learner or world.mine, details=details(what_happened="Secret")
    ).session


def a_pass(world, session, events, *, actor=None, duration=60.0, title="First viewing"):
    coding = Coding(DEFAULT_ETHOGRAM, tuple(events), media_duration=duration)
    return coding_pass_save(
        actor=actor or world.practitioner, session=session, coding=coding, source="entered", title=title
    )


def small_events():
    """Learner looks 0–10 s and 20–25 s; a chain of three turns from 5 s; the partner smiles alone at 30 s."""
    return [
        Event(0.0, "L-looks", "learner", 10.0),
        Event(20.0, "L-looks", "learner", 25.0),
        Event(5.0, "L-smiles", "learner"),
        Event(6.0, "P-vocalises", "partner", modifiers=("sings",), comment="a tune"),
        Event(7.0, "L-vocalises", "learner"),
        Event(30.0, "P-smiles", "partner"),
    ]


def url(name, session, **kwargs):
    return reverse(f"reflection:{name}", kwargs={"learner_id": session.learner_id, "session_id": session.pk, **kwargs})


def upload(data: bytes, name="coding.bin") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")

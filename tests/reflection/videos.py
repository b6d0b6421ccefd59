"""Helpers for the video tests: real little videos, consent, and a video uploaded the way the page does it."""

import tempfile
from datetime import timedelta
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from attunement.privacy.models import Consent
from attunement.reflection.models import SessionVideo
from attunement.reflection.sample_video import write_sample_video
from attunement.reflection.video_services import video_upload

_made: dict[tuple, bytes] = {}


def sample_bytes(seconds: float = 3.0, **options) -> bytes:
    """A real MP4 of the given length (made once per test run and kept in memory: they are small)."""
    key = (seconds, tuple(sorted(options.items())))
    if key not in _made:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "sample.mp4"
            write_sample_video(path, seconds=seconds, **options)
            _made[key] = path.read_bytes()
    return _made[key]


def consent(learner, purpose="video", withdrawn=False):
    today = timezone.localdate()
    return Consent.objects.create(
        learner=learner,
        purpose=purpose,
        given_by="person",
        starts_on=today - timedelta(days=1),
        review_on=today + timedelta(days=365),
        withdrawn_on=today if withdrawn else None,
    )


def video_file(data: bytes | None = None, name="session.mp4") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, sample_bytes() if data is None else data, content_type="video/mp4")


def add_url(session) -> str:
    return reverse("reflection:video_add", kwargs={"learner_id": session.learner_id, "session_id": session.pk})


def uploaded(world, session, tmp_path, *, actor=None, seconds=3.0) -> SessionVideo:
    """A video added through the service (its proxy made at once: tests run tasks immediately)."""
    path = tmp_path / f"upload-{SessionVideo.objects.count()}.mp4"
    path.write_bytes(sample_bytes(seconds))
    video = video_upload(
        actor=actor or world.practitioner,
        session=session,
        path=str(path),
        size=path.stat().st_size,
        original_name="phone.mp4",
    )
    video.refresh_from_db()
    return video


def a_video_record(session, by, *, name="session", width=640, height=360, **fields):
    """A ready video's details for a session, with no file behind them (ten seconds long)."""
    return SessionVideo.objects.create(
        session=session,
        uploaded_by=by,
        folder=f"{name}{session.pk}",
        original=f"videos/{name}{session.pk}/original.mp4",
        size_bytes=1,
        duration=10.0,
        width=width,
        height=height,
        **fields,
    )


def media_files(root: Path) -> list[Path]:
    videos = Path(root) / "videos"
    return sorted(p for p in videos.rglob("*") if p.is_file()) if videos.exists() else []


def filmed_clipped_and_coded(session, by):
    """What can belong to a session besides itself: a video (its details only, no file), a clip of it in the
    library and a coding pass. The person needs consent to video recording and to clips for training."""
    from attunement.coding.model import DEFAULT_ETHOGRAM, Coding, Event
    from attunement.codings.services import coding_pass_save
    from attunement.reflection.models import Clip

    video = a_video_record(session, by, shared_with_team=True)
    clip = Clip.objects.create(video=video, start=0, end=2, title="Good waiting", added_by=by)
    coding = Coding(DEFAULT_ETHOGRAM, (Event(1.0, "L-smiles", "learner"),), media_duration=10.0)
    coding_pass = coding_pass_save(actor=by, session=session, coding=coding, source="entered", title="First pass")
    return video, clip, coding_pass

"""Background work on videos: making the browser-playable proxy and the poster frame, cutting library clips
into their own files, and making the copy for playing of a session's short clip filmed in a form not every browser
plays (practice.session_media). Other apps' work on videos (the interaction analysis) uses the same machinery
and registers itself with :func:`work_to_recover`.

Each run counts itself in the record's ``attempts`` and writes ``heartbeat_at`` as it goes (with its progress).
A run writes only while ``attempts`` is still its own number: if it was given up on and started again, the old
run stops at its next write instead of racing the new one. :func:`recover_stalled_work` finds work whose worker
died (no sign of life for ``STALLED_WORK_AFTER_SECONDS``), queues it again, and after
``BACKGROUND_WORK_ATTEMPTS`` starts marks it failed with a plain message.
"""

import logging
import os
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from attunement.media import MediaProblem, make_proxy
from attunement.practice.models import ClipCopy, SessionMedia

from .clipping import cut_clip
from .models import Clip, SessionVideo, VideoStatus
from .signals import video_ready

logger = logging.getLogger(__name__)

PROGRESS_EVERY_SECONDS = 1.0


class Superseded(Exception):
    """This run's record was deleted, or its work was started again by another run: it must stop writing."""


def work_start(model, pk: int, unfinished: Q, **changes) -> int | None:
    """Count one more start of the work on the row and record a first sign of life; returns this run's number,
    or None if the row is gone or its work was finished meanwhile."""
    with transaction.atomic():
        attempts = model.objects.select_for_update().filter(unfinished, pk=pk).values_list("attempts", flat=True)
        attempts = attempts.first()
        if attempts is None:
            return None
        model.objects.filter(pk=pk).update(attempts=attempts + 1, heartbeat_at=timezone.now(), **changes)
    return attempts + 1


def work_mine(model, pk: int, attempt: int):
    """The row, only while this run's number is still the latest (and the row still exists)."""
    return model.objects.filter(pk=pk, attempts=attempt)


def _remove(*paths: Path) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def progress_writer(model, pk: int, attempt: int):
    """A callback taking fractions 0..1 that writes ``progress`` and a sign of life to the row at most once a
    second (and at the end), with a filtered update, so it never overwrites the row's other fields. Raises
    :class:`Superseded` when the row is gone or another run has taken the work over."""
    last_write = [0.0]

    def on_progress(fraction: float) -> None:
        now = time.monotonic()
        if now - last_write[0] >= PROGRESS_EVERY_SECONDS or fraction >= 1.0:
            last_write[0] = now
            written = work_mine(model, pk, attempt).update(
                progress=min(max(fraction, 0.0), 1.0), heartbeat_at=timezone.now()
            )
            if not written:
                raise Superseded

    return on_progress


@task()
def video_proxy_make(video_id: int) -> dict:
    """Make the video's proxy (H.264/AAC MP4, 640×360 at most) and poster. Safe to run twice: a video that is
    ready, or that has been deleted meanwhile, is left alone. Progress is written as it goes so the page can
    show it."""
    video = SessionVideo.objects.filter(pk=video_id).first()
    if video is None or video.status == VideoStatus.READY:
        return {"made": False}
    attempt = work_start(
        SessionVideo, video_id, ~Q(status=VideoStatus.READY), status=VideoStatus.PROCESSING, progress=0.0, problem=""
    )
    if attempt is None:
        return {"made": False}
    folder = Path(default_storage.path(f"videos/{video.folder}"))
    # Each run writes its own part files, so a run given up on cannot spoil or remove a newer run's output.
    proxy_tmp, poster_tmp = folder / f"proxy.part{attempt}.mp4", folder / f"poster.part{attempt}.jpg"
    on_progress = progress_writer(SessionVideo, video_id, attempt)
    try:
        make_proxy(video.original.path, str(proxy_tmp), str(poster_tmp), on_progress=on_progress)
    except MediaProblem as problem:
        work_mine(SessionVideo, video_id, attempt).update(
            status=VideoStatus.FAILED, problem=str(problem)[:500], heartbeat_at=timezone.now()
        )
        return {"made": False, "problem": str(problem)}
    except BaseException as error:
        _remove(proxy_tmp, poster_tmp)
        if isinstance(error, Superseded):
            return {"made": False}
        raise
    if not work_mine(SessionVideo, video_id, attempt).exists():
        _remove(proxy_tmp, poster_tmp)
        return {"made": False}
    os.replace(proxy_tmp, folder / "proxy.mp4")
    os.replace(poster_tmp, folder / "poster.jpg")
    updated = work_mine(SessionVideo, video_id, attempt).update(
        status=VideoStatus.READY,
        progress=1.0,
        problem="",
        proxy=f"videos/{video.folder}/proxy.mp4",
        poster=f"videos/{video.folder}/poster.jpg",
        ready_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    if not updated:
        if not SessionVideo.objects.filter(pk=video_id).exists():  # deleted while the proxy was being made
            for leftover in ("proxy.mp4", "poster.jpg"):
                (folder / leftover).unlink(missing_ok=True)
        return {"made": False}  # otherwise a newer run has the work, and writes the same files
    _remove(*folder.glob("proxy.part*.mp4"), *folder.glob("poster.part*.jpg"))  # left by runs whose worker died
    for clip_id in Clip.objects.filter(video_id=video_id, file="").values_list("pk", flat=True):
        clip_file_make.enqueue(clip_id)  # clips kept before the proxy existed
    video = SessionVideo.objects.filter(pk=video_id).first()
    if video is not None:  # not deleted in the meantime
        video_ready.send(sender=SessionVideo, video=video)
    return {"made": True}


@task()
def clip_file_make(clip_id: int) -> dict:
    """Cut a library clip out of its video's proxy into a file of its own, so the library never serves the
    rest of the video. Safe to run twice."""
    clip = Clip.objects.select_related("video").filter(pk=clip_id).first()
    if clip is None or clip.file or not clip.video.proxy:
        return {"made": False}
    attempt = work_start(Clip, clip_id, Q(file=""), problem="")
    if attempt is None:
        return {"made": False}
    folder = Path(default_storage.path(f"videos/{clip.video.folder}"))
    name = f"clip-{clip.pk}.mp4"
    part = folder / f"{name}.part{attempt}"
    try:
        cut_clip(clip.video.proxy.path, str(part), start=clip.start, end=clip.end)
    except MediaProblem as problem:
        part.unlink(missing_ok=True)
        work_mine(Clip, clip_id, attempt).update(problem=str(problem)[:500], heartbeat_at=timezone.now())
        return {"made": False, "problem": str(problem)}
    if not work_mine(Clip, clip_id, attempt).exists():
        part.unlink(missing_ok=True)
        return {"made": False}
    os.replace(part, folder / name)
    if not work_mine(Clip, clip_id, attempt).update(
        file=f"videos/{clip.video.folder}/{name}", heartbeat_at=timezone.now()
    ):
        if not Clip.objects.filter(pk=clip_id).exists():
            (folder / name).unlink(missing_ok=True)
        return {"made": False}
    _remove(*folder.glob(f"{name}.part*"))  # left by runs whose worker died
    return {"made": True}


# A session clip's copy for playing fits in this box, keeping its shape: 720 pixels at most on its long side.
CLIP_COPY_BOX = (720, 720)
CLIP_COPY_NAME = "playable.mp4"


@task()
def session_clip_copy_make(media_id: int) -> dict:
    """Make the copy for playing of a session's short clip (H.264/AAC MP4, upright, 720 pixels at most on its
    long side) beside the clip as filmed, which is kept as it is. Safe to run twice: a clip whose copy is made, or
    that was deleted meanwhile, is left alone; a run given up on leaves no file behind."""
    unfinished = Q(copy_status=ClipCopy.PREPARING)
    item = SessionMedia.objects.filter(unfinished, pk=media_id).first()
    if item is None:
        return {"made": False}
    attempt = work_start(SessionMedia, media_id, unfinished, progress=0.0, problem="")
    if attempt is None:
        return {"made": False}
    folder = Path(default_storage.path(f"session-media/{item.folder}"))
    part, done = folder / f"playable.part{attempt}.mp4", folder / CLIP_COPY_NAME

    def gone() -> bool:  # deleted (with its folder) while the copy was being made
        return not SessionMedia.objects.filter(pk=media_id).exists()

    try:
        make_proxy(
            item.file.path,
            str(part),
            None,
            width=CLIP_COPY_BOX[0],
            height=CLIP_COPY_BOX[1],
            on_progress=progress_writer(SessionMedia, media_id, attempt),
        )
        if not work_mine(SessionMedia, media_id, attempt).exists():
            _remove(part)
            return {"made": False}
        os.replace(part, done)
    except MediaProblem as problem:
        work_mine(SessionMedia, media_id, attempt).update(
            copy_status=ClipCopy.FAILED, problem=str(problem)[:500], heartbeat_at=timezone.now()
        )
        return {"made": False, "problem": str(problem)}
    except BaseException as error:
        _remove(part)
        if isinstance(error, Superseded) or (isinstance(error, OSError) and gone()):
            return {"made": False}
        raise
    updated = work_mine(SessionMedia, media_id, attempt).update(
        copy_status=ClipCopy.READY,
        progress=1.0,
        problem="",
        playable=f"session-media/{item.folder}/{CLIP_COPY_NAME}",
        heartbeat_at=timezone.now(),
    )
    if not updated:
        if gone():
            _remove(done)
        return {"made": False}  # otherwise a newer run has the work, and writes the same file
    _remove(*folder.glob("playable.part*.mp4"))  # left by runs whose worker died
    return {"made": True}


# --- Work whose worker stopped ---------------------------------------------------------------------------


class WorkerStopped(Exception):
    """Recorded on a task's queue entry when its worker stopped without finishing it."""


_TIMES = {1: "once", 2: "twice", 3: "three times", 4: "four times", 5: "five times"}


@dataclass(frozen=True)
class Work:
    model: type[models.Model]
    task: object
    pending: Q  # records whose work is waiting or under way
    doing: str  # what the work is, in the message a user sees
    queued_again: dict = field(default_factory=dict)  # what the record becomes when queued again
    failed: dict = field(default_factory=dict)  # and when given up on (besides its problem)


_registered: list[Work] = []


def work_to_recover(work: Work) -> Work:
    """Register another app's kind of background work with :func:`recover_stalled_work`."""
    if all(known.task is not work.task for known in _registered):
        _registered.append(work)
    return work


def _kinds_of_work() -> list[Work]:
    return [
        Work(
            SessionVideo,
            video_proxy_make,
            Q(status=VideoStatus.PROCESSING),
            "making this video ready",
            queued_again={"progress": 0.0},
            failed={"status": VideoStatus.FAILED},
        ),
        Work(Clip, clip_file_make, Q(file="", problem="") & ~Q(video__proxy=""), "cutting this clip"),
        Work(
            SessionMedia,
            session_clip_copy_make,
            Q(copy_status=ClipCopy.PREPARING),
            "preparing this clip for playing",
            queued_again={"progress": 0.0},
            failed={"copy_status": ClipCopy.FAILED},
        ),
        *_registered,
    ]


def stopped_message(doing: str, times: int) -> str:
    """What a user reads when work was given up on because the computer kept stopping during it."""
    return (
        f"The computer stopped while {doing} {_TIMES.get(times, f'{times} times')}. "
        "Try again, or ask your administrator if it keeps happening."
    )


def _queue_entries(work: Work) -> dict[int, list]:
    """The task queue's waiting and running entries for this kind of work, by the record they are for. Empty
    when tasks are not kept in the database (the tests run them at once)."""
    entries: dict[int, list] = {}
    rows = DBTaskResult.objects.filter(
        task_path=work.task.module_path, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    )
    for row in rows:
        arguments = row.args_kwargs.get("args") or list(row.args_kwargs.get("kwargs", {}).values())
        if arguments and isinstance(arguments[0], int):
            entries.setdefault(arguments[0], []).append(row)
    return entries


def _entry_failed(row, now) -> None:
    DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path=f"{WorkerStopped.__module__}.{WorkerStopped.__qualname__}",
        traceback="The worker running this task stopped before it finished (no sign of life from the work).\n",
        return_value=None,
    )


def recover_stalled_work(stale_after: timedelta | None = None) -> dict:
    """Find video proxies, clips, session clips' copies and analyses whose work is waiting or under way but has
    shown no sign of life for ``stale_after`` (``STALLED_WORK_AFTER_SECONDS``), and queue each again, or, once it
    has been started ``BACKGROUND_WORK_ATTEMPTS`` times, mark it failed with a plain message. Work waiting its
    turn in the queue is left alone. Queue entries left "running" by a worker that stopped are marked failed.

    Safe to run at any time, from several processes: every change is made only if the record is as it was
    read. Returns the counts of records queued again and failed, and of queue entries marked failed."""
    stale_after = stale_after if stale_after is not None else timedelta(seconds=settings.STALLED_WORK_AFTER_SECONDS)
    limit = settings.BACKGROUND_WORK_ATTEMPTS
    now = timezone.now()
    cutoff = now - stale_after
    counts = {"queued_again": 0, "failed": 0, "entries_failed": 0}
    for work in _kinds_of_work():
        entries = _queue_entries(work)
        records = {
            row["pk"]: row
            for row in work.model.objects.filter(pk__in=list(entries)).values("pk", "queued_at", "heartbeat_at")
        }
        pending = work.model.objects.filter(work.pending).values("pk", "attempts", "queued_at", "heartbeat_at")
        for record in pending:
            rows = entries.get(record["pk"], [])
            if any(row.status == TaskResultStatus.READY for row in rows):
                continue  # waiting its turn: a worker will take it
            signs = [record["queued_at"], record["heartbeat_at"], *(row.started_at for row in rows)]
            if max(sign for sign in signs if sign is not None) >= cutoff:
                continue
            as_read = work.model.objects.filter(
                work.pending,
                pk=record["pk"],
                attempts=record["attempts"],
                queued_at=record["queued_at"],
                heartbeat_at=record["heartbeat_at"],
            )
            if record["attempts"] >= limit:
                changed = as_read.update(problem=stopped_message(work.doing, record["attempts"]), **work.failed)
                counts["failed"] += changed
                if changed:
                    logger.warning("Gave up on %s %s after %s starts", work.model.__name__, record["pk"], limit)
            else:
                with transaction.atomic():
                    changed = as_read.update(queued_at=now, heartbeat_at=None, **work.queued_again)
                    if changed:
                        pk = record["pk"]
                        transaction.on_commit(lambda task=work.task, pk=pk: task.enqueue(pk))
                counts["queued_again"] += changed
                if changed:
                    logger.warning("Queued %s %s again: its worker stopped", work.model.__name__, record["pk"])
        for pk, rows in entries.items():
            record = records.get(pk) or {}
            for row in rows:
                if row.status != TaskResultStatus.RUNNING:
                    continue
                signs = [record.get("queued_at"), record.get("heartbeat_at"), row.started_at]
                if max(sign for sign in signs if sign is not None) < cutoff:
                    _entry_failed(row, now)
                    counts["entries_failed"] += 1
    return counts

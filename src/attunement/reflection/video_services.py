"""Every change to session videos and the work done on them: upload, sharing, notes and comments, agreed
actions, interval ratings and the clip library (coding in the player is in codings.services).

Each service checks permission (reflection.policies.video_policy), explains bad input in plain words
(ValidationError), runs in one transaction and leaves an audit entry.
"""

import math
import shutil
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from attunement.learners.policies import learner_policy
from attunement.means.models import MeetingKind
from attunement.means.services import ActionInput, supervision_meeting_record
from attunement.media import MediaProblem, probe
from attunement.organisations.audit import audit_record
from attunement.organisations.models import Membership
from attunement.organisations.policies import STAFF_ROLES
from attunement.practice.models import ProgressScale, Session
from attunement.practice.selectors import sessions_visible_to
from attunement.privacy.models import Purpose
from attunement.privacy.selectors import consent_allows

from .models import (
    Clip,
    RatingScheme,
    SessionVideo,
    VideoComment,
    VideoRating,
    VideoShare,
    VideoStatus,
)
from .policies import video_policy
from .ratings import ZEEDYK_ITEMS, interval_starts
from .uploads import VIDEO_SIZE

# The suffixes a container may be stored with, the usual one first. The name the file came with is kept if it
# fits what the content turned out to be; otherwise the content decides.
SUFFIXES = {"mp4": ".mp4", "mov": ".mov", "3gp": ".3gp", "matroska": ".mkv", "webm": ".webm", "avi": ".avi"}
MAX_COMMENT = 4000
MAX_CLIP_SECONDS = 10 * 60

NO_VIDEO_CONSENT = (
    "Videos of {name} cannot be added: there is no consent to video recording in force. "
    "Please record consent on their Privacy page first."
)


def _suffix_for(container: str, original_name: str) -> str:
    names = container.split(",")
    fitting = [suffix for name, suffix in SUFFIXES.items() if name in names]
    given = Path(original_name).suffix.lower()
    if given in fitting:
        return given
    return fitting[0] if fitting else ".video"


def one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def _require(actor: Membership, action: str, video: SessionVideo, message: str) -> None:
    video_policy.require(actor, action, video, message=message)


def time_in_video(video: SessionVideo, time, field: str = "time") -> float:
    """A moment of the video in seconds, checked against its length."""
    try:
        seconds = float(time)
    except (TypeError, ValueError):
        raise ValidationError({field: "Please give the time as a number of seconds."}) from None
    if not math.isfinite(seconds) or seconds < 0 or seconds > video.duration + 0.5:
        raise ValidationError({field: f"That time is outside the video, which lasts {video.duration:.1f} seconds."})
    return min(round(seconds, 3), video.duration)


# --- Upload ----------------------------------------------------------------------------------------------


def video_upload(*, actor: Membership, session: Session, path: str, size: int, original_name: str) -> SessionVideo:
    """Keep a video of a session from the file at `path` (the upload's temporary file, moved, not copied).

    The person's consent to video must be in force. The file is accepted only if it decodes as a video
    (its name is not trusted); a refused file leaves nothing behind. The proxy is made in the background.
    Checking and moving the file (a copy, when the temporary folder is on another disk) happen before the
    transaction, which only records the video, so nobody waits on a large upload to save their own work.
    """
    learner = session.learner
    if not learner_policy.allows(actor, "record_session", learner):
        raise PermissionDenied("Your role does not allow adding videos for this person.")
    if not consent_allows(learner, Purpose.VIDEO):
        raise ValidationError({"file": NO_VIDEO_CONSENT.format(name=learner.display_name)})
    if size <= 0:
        raise ValidationError({"file": "The file is empty. Please choose the video again."})
    VIDEO_SIZE.check(size, field="file")
    try:
        info = probe(path)
    except MediaProblem as problem:
        raise ValidationError({"file": str(problem)}) from None
    folder = uuid.uuid4().hex
    video = SessionVideo(
        session=session,
        uploaded_by=actor,
        folder=folder,
        original_name=one_line(original_name)[:255],
        size_bytes=size,
        container=info.container[:80],
        duration=info.duration,
        width=info.width,
        height=info.height,
        frame_rate=info.frame_rate,
        has_audio=info.has_audio,
    )
    stored = default_storage.save(
        f"videos/{folder}/original{_suffix_for(info.container, original_name)}", _LocalFile(path, size)
    )
    video.original.name = stored
    try:
        with transaction.atomic():
            if not consent_allows(learner, Purpose.VIDEO):  # withdrawn while the file was being checked
                raise ValidationError({"file": NO_VIDEO_CONSENT.format(name=learner.display_name)})
            video.save()
            audit_record(actor=actor, action="video.uploaded", learner=learner, target=video)
            transaction.on_commit(lambda: _queue_proxy(video.pk))
    except BaseException:
        video_files_remove(video)
        raise
    return video


def _queue_proxy(video_id: int) -> None:
    from .tasks import video_proxy_make

    video_proxy_make.enqueue(video_id)


@transaction.atomic
def video_retry(*, actor: Membership, video: SessionVideo) -> SessionVideo:
    """Prepare a video for playing again after that failed (the computer kept stopping, or the file could not
    be read): it is queued once more, with its count of starts begun afresh."""
    video_policy.require_manage(actor, video, "try again")
    again = SessionVideo.objects.filter(pk=video.pk, status=VideoStatus.FAILED).update(
        status=VideoStatus.PROCESSING, progress=0.0, problem="", attempts=0, heartbeat_at=None, queued_at=timezone.now()
    )
    if not again:
        raise ValidationError("The video is not waiting for another try: it is being prepared, or it is ready.")
    audit_record(actor=actor, action="video.retried", learner=video.learner, target=video)
    transaction.on_commit(lambda: _queue_proxy(video.pk))
    video.refresh_from_db()
    return video


class _LocalFile:
    """Lets storage move the temporary file into place (FileSystemStorage renames a file that has a path)."""

    def __init__(self, path: str, size: int):
        self._path = path
        self.size = size
        self.name = Path(path).name

    def temporary_file_path(self) -> str:
        return self._path

    def chunks(self, chunk_size=1024 * 1024):
        with open(self._path, "rb") as source:
            while chunk := source.read(chunk_size):
                yield chunk

    def close(self):
        pass


def video_files_remove(video: SessionVideo) -> None:
    """Delete the video's folder (original, proxy and poster). Safe to call twice."""
    for field in (video.original, video.proxy, video.poster):
        if field and field.name:
            default_storage.delete(field.name)
    folder = Path(default_storage.path(f"videos/{video.folder}")) if video.folder else None
    if folder is not None and folder.is_dir():
        shutil.rmtree(folder, ignore_errors=True)


def _refuse_during_legal_hold(learner) -> None:
    if learner.legal_holds.filter(lifted_at__isnull=True).exists():
        raise ValidationError(
            f"A legal hold is in place on {learner.display_name}'s records, so nothing about them can be deleted "
            "until it is lifted."
        )


@transaction.atomic
def video_delete(*, actor: Membership, video: SessionVideo) -> None:
    """Delete a video, its notes, ratings and clips. Codings made from it are kept: they are the person's
    records, not film. Refused while a legal hold is in place."""
    video_policy.require_manage(actor, video, "delete it")
    _refuse_during_legal_hold(video.learner)
    audit_record(actor=actor, action="video.deleted", learner=video.learner, target=video)
    video.delete()


def audit_original_download(*, actor: Membership, video: SessionVideo) -> None:
    audit_record(actor=actor, action="video.original_downloaded", learner=video.learner, target=video)


# --- Sharing ---------------------------------------------------------------------------------------------


@transaction.atomic
def video_share(*, actor: Membership, video: SessionVideo, member: Membership | None) -> VideoShare:
    video_policy.require_manage(actor, video, "share it")
    if member is None or member.organisation_id != actor.organisation_id or member.role not in STAFF_ROLES:
        raise ValidationError({"member": "Please choose a member of staff to share the video with."})
    if not member.is_active:
        raise ValidationError({"member": "That person no longer works here."})
    if member.pk == actor.pk:
        raise ValidationError({"member": "You can already see this video. Please choose someone else."})
    share, created = VideoShare.objects.get_or_create(video=video, member=member, defaults={"shared_by": actor})
    if created:
        audit_record(actor=actor, action="video.shared", learner=video.learner, target=share)
    return share


@transaction.atomic
def video_unshare(*, actor: Membership, share: VideoShare) -> None:
    video_policy.require_manage(actor, share.video, "change sharing")
    audit_record(actor=actor, action="video.unshared", learner=share.video.learner, target=share)
    share.delete()


@transaction.atomic
def video_set_team_sharing(*, actor: Membership, video: SessionVideo, shared: bool) -> SessionVideo:
    video_policy.require_manage(actor, video, "change sharing")
    video.shared_with_team = bool(shared)
    video.save(update_fields=["shared_with_team"])
    audit_record(
        actor=actor,
        action="video.team_shared" if shared else "video.team_unshared",
        learner=video.learner,
        target=video,
    )
    return video


# --- Notes, comments and agreed actions ------------------------------------------------------------------


@transaction.atomic
def comment_add(
    *, actor: Membership, video: SessionVideo, time, text: str, reply_to: VideoComment | None = None
) -> VideoComment:
    """A note at a moment of the video, or a reply to one (a reply sits at the moment of what it answers)."""
    _require(actor, "comment", video, "Your role does not allow commenting on this video.")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Please write the note or comment."})
    if len(text) > MAX_COMMENT:
        raise ValidationError({"text": f"Please keep it under {MAX_COMMENT:,} characters."})
    if reply_to is not None:
        if reply_to.video_id != video.pk:
            raise ValidationError({"reply_to": "That comment is on another video."})
        reply_to = reply_to.reply_to or reply_to  # one level of replies: answer the thread
        seconds = reply_to.time
    else:
        seconds = time_in_video(video, time)
    comment = VideoComment.objects.create(video=video, author=actor, time=seconds, text=text, reply_to=reply_to)
    audit_record(actor=actor, action="video_comment.added", learner=video.learner, target=comment)
    return comment


@transaction.atomic
def comment_delete(*, actor: Membership, comment: VideoComment) -> None:
    if comment.author_id != actor.pk:
        raise PermissionDenied("Only the person who wrote a comment can delete it.")
    _require(actor, "comment", comment.video, "Your role does not allow commenting on this video.")
    audit_record(actor=actor, action="video_comment.deleted", learner=comment.video.learner, target=comment)
    comment.delete()


@transaction.atomic
def comment_agree_action(
    *, actor: Membership, comment: VideoComment, text: str, owner: str, due_on: date | None
) -> VideoComment:
    """Turn a comment into an action agreed between the mentor (`actor`) and the person who filmed the
    session: it is recorded as a video reflection meeting in the supervision records, today."""
    video = comment.video
    _require(actor, "comment", video, "Your role does not allow commenting on this video.")
    filmed_by = video.uploaded_by
    if filmed_by is None or not filmed_by.is_active:
        raise ValidationError({"text": "The person who added this video no longer works here."})
    if filmed_by.pk == actor.pk:
        raise ValidationError(
            {"text": "Actions are agreed with a mentor: share the video with them and they can add it."}
        )
    if comment.agreed_action_id is not None:
        raise ValidationError({"text": "An action has already been agreed from this comment."})
    owners = {"filmed_by": filmed_by, "mentor": actor}
    if owner not in owners:
        raise ValidationError({"owner": "Please choose who will do it."})
    text = one_line(text) or one_line(comment.text)[:300]
    session = video.session
    sessions = [session] if sessions_visible_to(actor).filter(pk=session.pk).exists() else []
    at = _clock(comment.time)
    meeting = supervision_meeting_record(
        actor=actor,
        supervisor=actor,
        supervisee=filmed_by,
        met_on=timezone.localdate(),
        kind=MeetingKind.VIDEO_REFLECTION,
        notes=f"Watched a video of a session together and talked about the moment at {at}.",
        sessions=sessions,
        actions=[ActionInput(text=text, owner=owners[owner], due_on=due_on)],
    )
    comment.agreed_action = meeting.actions.get()
    comment.save(update_fields=["agreed_action"])
    return comment


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


# --- Interval ratings ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingInput:
    scheme: str
    item: str
    start: float
    value: int | None  # None clears the rating
    scale: ProgressScale | None = None


@transaction.atomic
def rating_set(*, actor: Membership, video: SessionVideo, interval: float, rating: RatingInput) -> VideoRating | None:
    """Rate one interval of the video, or clear that rating. Intervals start at 0 and are `interval` long."""
    _require(actor, "rate", video, "Your role does not allow rating this video.")
    if not 5 <= interval <= 600:
        raise ValidationError({"interval": "Please choose intervals between 5 seconds and 10 minutes long."})
    if rating.start not in interval_starts(video.duration, interval):
        raise ValidationError({"start": "That interval is not one of this video's."})
    if rating.scheme == RatingScheme.ZEEDYK:
        if rating.item not in ZEEDYK_ITEMS:
            raise ValidationError({"item": "Please choose gaze, orientation, proximity or emotional tone."})
        scale, top = None, 3
    elif rating.scheme == RatingScheme.SCALE:
        scale = rating.scale
        if scale is None or scale.organisation_id != actor.organisation_id or rating.item != "level":
            raise ValidationError({"scale": "Please choose one of your organisation's scales."})
        top = scale.levels.count()
    else:
        raise ValidationError({"scheme": "Please choose what to rate."})
    key = {"video": video, "rater": actor, "scheme": rating.scheme, "scale": scale, "item": rating.item}
    if rating.value is None:
        VideoRating.objects.filter(start=rating.start, **key).delete()
        return None
    if not 1 <= rating.value <= top:
        raise ValidationError({"value": f"Please choose a point from 1 to {top}."})
    saved, _ = VideoRating.objects.update_or_create(
        start=rating.start, defaults={"value": rating.value, "interval": interval}, **key
    )
    return saved


# --- The clip library ------------------------------------------------------------------------------------


@transaction.atomic
def clip_add(*, actor: Membership, video: SessionVideo, start, end, title: str, teaching_point: str = "") -> Clip:
    """Keep part of a video in the library of good practice. The person's consent to sharing clips for staff
    training must be in force; the clip disappears from the library if it is withdrawn."""
    video_policy.require_manage(actor, video, "add it to the library")
    if not consent_allows(video.learner, Purpose.TRAINING):
        raise ValidationError(
            {
                "title": f"Clips of {video.learner.display_name} cannot go in the library: there is no consent to "
                "sharing clips for staff training in force."
            }
        )
    first, last = time_in_video(video, start, "start"), time_in_video(video, end, "end")
    if last <= first:
        raise ValidationError({"end": "The clip must end after it starts."})
    if last - first > MAX_CLIP_SECONDS:
        raise ValidationError({"end": "Please keep a clip under 10 minutes."})
    title = one_line(title)
    if not title:
        raise ValidationError({"title": "Please give the clip a title, for example “Waiting for a response”."})
    if len(title) > 200:
        raise ValidationError({"title": "Please keep the title under 200 characters."})
    clip = Clip.objects.create(
        video=video, start=first, end=last, title=title, teaching_point=(teaching_point or "").strip(), added_by=actor
    )
    audit_record(actor=actor, action="clip.added", learner=video.learner, target=clip)
    transaction.on_commit(lambda: _queue_clip(clip.pk))
    return clip


def _queue_clip(clip_id: int) -> None:
    from .tasks import clip_file_make

    clip_file_make.enqueue(clip_id)


@transaction.atomic
def clip_remove(*, actor: Membership, clip: Clip) -> None:
    video_policy.require_manage(actor, clip.video, "remove clips")
    _refuse_during_legal_hold(clip.video.learner)
    audit_record(actor=actor, action="clip.removed", learner=clip.video.learner, target=clip)
    clip.delete()

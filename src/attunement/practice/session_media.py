"""Photos, voice notes and short clips taken during a session (SessionMedia).

Every file is checked before anything is saved, and refused in plain words when it is not one we take: a photo
must be a JPEG, PNG or WebP picture; a voice note a recording of sound alone; a clip a short video. A photo is
written again without its location (the EXIF GPS block) before it is kept, so a picture of a child never carries
where it was taken. Media needs the person's consent to video in force: to add it, and to see it. The family see
photos and clips (not voice notes, which are the team's own notes) only while sharing with family is agreed too.
One taken by mistake (another child in the picture) can be deleted at once by the member who added it, or by a
co-ordinator, manager or administrator (`may_delete_media`).

A clip is kept as filmed. Tablets film in forms not every browser plays (an iPad or iPhone films HEVC, which
Chromium on Linux, Android and ChromeOS shows as sound with no picture), so a clip that is not H.264 (with AAC
sound) in MP4 or MOV, or VP8, VP9 or AV1 in WebM, is also copied, in the background, into an H.264/AAC MP4 at
most 720 pixels on its long side, turned upright (the videos app makes it: `clip_copy_wanted`). Until the copy
is ready the clip's place says it is being prepared; the player is then given the copy.
"""

import io
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import av
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.signals import post_delete
from django.dispatch import Signal
from PIL import Image, UnidentifiedImageError

from attunement.learners.policies import learner_policy
from attunement.media import MediaProblem, VideoInfo, probe, video_stream
from attunement.organisations.audit import audit_record
from attunement.organisations.models import AuditEntry, Membership, Role
from attunement.organisations.policies import ORGANISATION_WIDE_ROLES, STAFF_ROLES
from attunement.privacy.consent_sql import consent_in_force
from attunement.privacy.hooks import on_consent_withdrawn
from attunement.privacy.models import Purpose
from attunement.privacy.selectors import consent_allows, current_hold

from .models import ClipCopy, MediaKind, Session, SessionMedia, session_media_path

MB = 1024 * 1024
PHOTO_MAX_BYTES = 15 * MB
AUDIO_MAX_BYTES = 10 * MB
AUDIO_MAX_SECONDS = 180
CLIP_MAX_BYTES = 100 * MB
CLIP_MAX_SECONDS = 60

# MPO is a JPEG with extra pictures after the first (some cameras write it): the first picture is kept, as JPEG.
PHOTO_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "MPO": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
AUDIO_FORMATS = {"matroska": ("audio/webm", "webm"), "ogg": ("audio/ogg", "ogg"), "mp4": ("audio/mp4", "m4a")}
CLIP_FORMATS = {"matroska": ("video/webm", "webm"), "mp4": ("video/mp4", "mp4")}
GPS_IFD = 0x8825
# What every browser the team and families use plays (FFmpeg's decoder names), by kind of file: H.264 with AAC
# or MP3 sound in MP4 or QuickTime (MOV), and VP8, VP9 or AV1 with Opus or Vorbis in WebM; "" is no sound.
PLAYS_EVERYWHERE = {
    "mp4": ({"h264"}, {"aac", "mp3", "mp3float", ""}),
    "matroska": (
        {"vp8", "vp9", "libvpx", "libvpx-vp9", "av1", "libdav1d", "libaom-av1"},
        {"opus", "libopus", "vorbis", "libvorbis", ""},
    ),
}
EIGHT_BIT_420 = {"yuv420p", "yuvj420p"}

# Sent (with ``media_id``) once a clip that needs a copy for playing is saved; the videos app makes the copy.
clip_copy_wanted = Signal()

NO_CONSENT = (
    "Photos, voice notes and clips of {name} cannot be added: there is no consent to video recording in force. "
    "A co-ordinator can record consent on their Privacy page."
)
NOT_A_PHOTO = (
    "This file is not a photo we can take. Please take the photo again, or choose a JPEG, PNG or WebP picture."
)
HEIC_PHOTO = (
    "This photo is in the HEIC format, which cannot be taken yet. On the tablet, set the camera's format to "
    "“Most compatible” (JPEG), or choose a JPEG, PNG or WebP picture."
)
NOT_A_VOICE_NOTE = "This file is not a voice note we can take. Please record it again with the Record button."
NOT_A_CLIP = "This file is not a video clip we can take. Please film it again, or choose an MP4 or WebM video."
EMPTY = "The file is empty. Please take it again."
# Shown in a clip's place (also in templates/practice/_media_shown.html): while its copy for playing is made,
# and if that could not be done (the clip as filmed is offered then: it plays on some tablets).
CLIP_PREPARING = (
    "This clip is being prepared so that it plays on every tablet. Open this page again in a minute to watch it."
)
CLIP_NOT_PREPARED = (
    "This clip could not be prepared for every tablet, so it may not play on this one. It is kept as filmed."
)


def _mb(size: int) -> str:
    return f"{size // MB} MB"


@dataclass
class CheckedMedia:
    """A file that passed its checks, ready to be kept: what it is and the bytes (or file) to store."""

    kind: str
    content_type: str
    extension: str
    content: File
    size: int
    original_name: str
    duration: float | None = None
    needs_copy: bool = False  # a clip not every browser plays: a copy for playing is made once it is kept


# --- Checks ---------------------------------------------------------------------------------------------------


def _original_name(upload) -> str:
    return " ".join(str(getattr(upload, "name", "") or "").split())[:255]


def check_photo(upload) -> CheckedMedia:
    """A JPEG, PNG or WebP photo up to PHOTO_MAX_BYTES, written again without its location."""
    if not upload.size:
        raise ValidationError(EMPTY)
    if upload.size > PHOTO_MAX_BYTES:
        raise ValidationError(
            f"The photo is larger than {_mb(PHOTO_MAX_BYTES)}. Please take it again at a smaller size."
        )
    upload.seek(0)
    head = upload.read(32)
    upload.seek(0)
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypmsf1", b"ftyphevc"):
        raise ValidationError(HEIC_PHOTO)
    try:
        with Image.open(upload) as image:
            image.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            if image.format not in PHOTO_FORMATS:
                raise ValidationError(NOT_A_PHOTO)
            image.load()
            content_type, extension = PHOTO_FORMATS[image.format]
            kept = _without_location(image)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(NOT_A_PHOTO) from None
    return CheckedMedia(
        kind=MediaKind.PHOTO,
        content_type=content_type,
        extension=extension,
        content=ContentFile(kept),
        size=len(kept),
        original_name=_original_name(upload),
    )


def _without_location(image: Image.Image) -> bytes:
    """The picture encoded again with its EXIF data minus the GPS block. Nothing else of the original's metadata
    (XMP, comments, thumbnails that may carry their own location) is written."""
    exif = image.getexif()
    exif.pop(GPS_IFD, None)
    options: dict = {"exif": exif.tobytes()} if len(exif) else {}
    if image.info.get("icc_profile"):
        options["icc_profile"] = image.info["icc_profile"]
    out = io.BytesIO()
    if image.format in ("JPEG", "MPO"):
        picture = image if image.mode in ("RGB", "L", "CMYK") else image.convert("RGB")
        picture.save(out, format="JPEG", quality=92, **options)
    elif image.format == "WEBP":
        image.save(out, format="WEBP", quality=90, **options)
    else:
        image.save(out, format="PNG", **options)
    return out.getvalue()


class _OnDisk:
    """The upload as a path PyAV can open: Django's temporary file when it made one, or a copy."""

    def __init__(self, upload):
        self.upload = upload
        self.copy = None

    def __enter__(self) -> Path:
        path = getattr(self.upload, "temporary_file_path", None)
        if path is not None:
            return Path(path())
        self.copy = tempfile.NamedTemporaryFile(suffix=".media")
        self.upload.seek(0)
        for chunk in self.upload.chunks():
            self.copy.write(chunk)
        self.copy.flush()
        return Path(self.copy.name)

    def __exit__(self, *exc):
        if self.copy is not None:
            self.copy.close()


def _format_key(container) -> str:
    name = container.format.name
    if "matroska" in name or "webm" in name:
        return "matroska"
    if "mp4" in name or "mov" in name:
        return "mp4"
    return name


def _sound_length(container, stream) -> float:
    """Seconds of sound, read from the packets: a recording made in a browser often does not say its length."""
    last = 0.0
    for packet in container.demux(stream):
        if packet.pts is not None and packet.time_base is not None:
            end = float((packet.pts + (packet.duration or 0)) * packet.time_base)
            last = max(last, end)
    return last


def check_voice_note(upload) -> CheckedMedia:
    """A recording of sound alone (WebM, Ogg or MP4, as browsers record) up to AUDIO_MAX_SECONDS long."""
    if not upload.size:
        raise ValidationError(EMPTY)
    if upload.size > AUDIO_MAX_BYTES:
        raise ValidationError(f"The voice note is larger than {_mb(AUDIO_MAX_BYTES)}. Please record a shorter one.")
    with _OnDisk(upload) as path:
        try:
            with av.open(str(path), "r") as container:
                key = _format_key(container)
                if key not in AUDIO_FORMATS or not container.streams.audio:
                    raise ValidationError(NOT_A_VOICE_NOTE)
                if [s for s in container.streams.video if not s.disposition & av.stream.Disposition.attached_pic]:
                    raise ValidationError(NOT_A_VOICE_NOTE)
                seconds = _sound_length(container, container.streams.audio[0])
        except av.error.FFmpegError:
            raise ValidationError(NOT_A_VOICE_NOTE) from None
    if seconds > AUDIO_MAX_SECONDS:
        raise ValidationError(
            f"The voice note is longer than {AUDIO_MAX_SECONDS // 60} minutes. Please record a shorter one."
        )
    return _kept_as_sent(upload, MediaKind.AUDIO, AUDIO_FORMATS[key], seconds)


def _kept_as_sent(upload, kind, content_type_and_extension: tuple[str, str], seconds: float) -> CheckedMedia:
    """A checked recording, kept byte for byte as it was sent (unlike a photo, which is saved again)."""
    content_type, extension = content_type_and_extension
    upload.seek(0)
    return CheckedMedia(
        kind=kind,
        content_type=content_type,
        extension=extension,
        content=File(upload),
        size=upload.size,
        original_name=_original_name(upload),
        duration=round(seconds, 1),
    )


def check_clip(upload) -> CheckedMedia:
    """A short video (MP4 or WebM) up to CLIP_MAX_SECONDS long and CLIP_MAX_BYTES."""
    if not upload.size:
        raise ValidationError(EMPTY)
    if upload.size > CLIP_MAX_BYTES:
        raise ValidationError(
            f"The clip is larger than {_mb(CLIP_MAX_BYTES)}. Please film a shorter part, "
            "or add the whole film as a session video."
        )
    with _OnDisk(upload) as path:
        try:
            info = probe(path, max_duration=CLIP_MAX_SECONDS)
        except MediaProblem as problem:
            raise ValidationError(str(problem)) from None
        try:
            with av.open(str(path), "r") as container:
                key = _format_key(container)
                stream = video_stream(container)
                picture_format = stream.codec_context.format if stream is not None else None
        except av.error.FFmpegError:
            raise ValidationError(NOT_A_CLIP) from None
    if key not in CLIP_FORMATS:
        raise ValidationError(NOT_A_CLIP)
    checked = _kept_as_sent(upload, MediaKind.CLIP, CLIP_FORMATS[key], info.duration)
    checked.needs_copy = not plays_everywhere(key, info, picture_format.name if picture_format else "")
    return checked


def plays_everywhere(key: str, info: VideoInfo, picture_format: str) -> bool:
    """Whether a clip plays as it is in every browser: a picture and sound every browser decodes, in 8-bit 4:2:0
    (a 10-bit picture, as some phones film in HDR, is not played everywhere). A turned (portrait) clip plays
    upright in all of them, so that needs no copy."""
    pictures, sounds = PLAYS_EVERYWHERE.get(key, (set(), set()))
    return info.video_codec in pictures and info.audio_codec in sounds and picture_format in EIGHT_BIT_420


CHECKS = {MediaKind.PHOTO: check_photo, MediaKind.AUDIO: check_voice_note, MediaKind.CLIP: check_clip}


# --- Who sees it ------------------------------------------------------------------------------------------------


def media_visible_to(actor: Membership | None) -> QuerySet[SessionMedia]:
    """The media the actor may see now: of sessions that count, of people they see, while consent to video is in
    force; for a family member, only photos and clips, and only while sharing with family is agreed too."""
    if actor is None or not actor.is_active or actor.role not in STAFF_ROLES | {Role.FAMILY}:
        return SessionMedia.objects.none()
    media = SessionMedia.objects.filter(
        session__learner__organisation_id=actor.organisation_id,
        session__withdrawn_at__isnull=True,
        session__learner__in=learner_policy.scope(actor).values("pk"),
    ).filter(consent_in_force(Purpose.VIDEO, learner="session__learner"))
    if actor.role == Role.FAMILY:
        media = media.filter(consent_in_force(Purpose.FAMILY, learner="session__learner")).exclude(kind=MediaKind.AUDIO)
    return media


def attach_media(actor: Membership | None, sessions) -> None:
    """Give each session `shown_media`: its photos, voice notes and clips the actor may see now (one query)."""
    by_session: dict[int, list[SessionMedia]] = {session.pk: [] for session in sessions}
    if by_session:
        for item in media_visible_to(actor).filter(session_id__in=list(by_session)).order_by("created_at", "pk"):
            by_session[item.session_id].append(item)
    for session in sessions:
        session.shown_media = by_session[session.pk]


def may_add_media(actor: Membership, learner) -> bool:
    return learner_policy.allows(actor, "record_session", learner) and consent_allows(learner, Purpose.VIDEO)


def media_refusal(actor: Membership, learner) -> str | None:
    """Why media cannot be added for this person now, in plain words, or None."""
    if not learner_policy.allows(actor, "record_session", learner):
        return "Your role does not allow adding photos or voice notes for this person."
    if not consent_allows(learner, Purpose.VIDEO):
        return NO_CONSENT.format(name=learner.display_name)
    return None


# Besides the member who added it, those who see the whole organisation may delete any photo, voice note or clip.
DELETES_ANY_MEDIA = ORGANISATION_WIDE_ROLES
MAY_NOT_DELETE = "You cannot delete this: it was added by someone else. Please ask a co-ordinator."


def may_delete_media(actor: Membership | None, item: SessionMedia) -> bool:
    """The one rule for deleting a session's photo, voice note or clip (the button, the page and the service ask
    it): the actor sees it now and may record sessions for the person, and either added it or is a co-ordinator,
    manager or administrator. A family member or an external viewer never may."""
    if actor is None or not actor.is_active:
        return False
    if item.added_by_id != actor.pk and actor.role not in DELETES_ANY_MEDIA:
        return False
    return (
        learner_policy.allows(actor, "record_session", item.session.learner)
        and media_visible_to(actor).filter(pk=item.pk).exists()
    )


def media_on_page(learner_id, session_id, media_id) -> SessionMedia | None:
    """The photo, voice note or clip named by an address, when it belongs to that session of that person."""
    return (
        SessionMedia.objects.select_related("session__learner")
        .filter(pk=media_id, session_id=session_id, session__learner_id=learner_id)
        .first()
    )


def media_already_deleted(*, learner, media_id: int) -> bool:
    """Whether this photo, voice note or clip of the person was deleted (a Delete button pressed twice)."""
    return AuditEntry.objects.filter(
        action="session_media.deleted", learner_id=learner.pk, target_type=SessionMedia.__name__, target_id=media_id
    ).exists()


# --- Writes -----------------------------------------------------------------------------------------------------


def session_media_keep(*, actor: Membership, session: Session, checked: CheckedMedia) -> SessionMedia:
    """Keep a checked file with its session, after checking again that the actor may and consent is in force."""
    learner = session.learner
    if not learner_policy.allows(actor, "record_session", learner):
        raise PermissionDenied("Your role does not allow adding photos or voice notes for this person.")
    if session.is_withdrawn:
        raise ValidationError("This session was withdrawn, so nothing can be added to it.")
    if not consent_allows(learner, Purpose.VIDEO):
        raise ValidationError(NO_CONSENT.format(name=learner.display_name))
    folder = uuid.uuid4().hex
    item = SessionMedia(
        session=session,
        kind=checked.kind,
        added_by=actor,
        folder=folder,
        content_type=checked.content_type,
        original_name=checked.original_name,
        size_bytes=checked.size,
        duration=checked.duration,
        copy_status=ClipCopy.PREPARING if checked.needs_copy else ClipCopy.NOT_NEEDED,
    )
    checked.content.seek(0)
    item.file.save(f"{checked.kind}.{checked.extension}", checked.content, save=False)
    name = item.file.name
    try:
        with transaction.atomic():
            item.save()
            audit_record(
                actor=actor, action="session_media.added", learner=learner, target=item, detail={"kind": item.kind}
            )
            if item.clip_preparing:
                transaction.on_commit(lambda: clip_copy_wanted.send(sender=SessionMedia, media_id=item.pk))
    except BaseException:
        default_storage.delete(name)
        raise
    return item


def session_media_add(*, actor: Membership, session: Session, kind: str, upload) -> SessionMedia:
    """Check an uploaded file of the given kind and keep it with the session (raises ValidationError in plain words,
    having kept nothing)."""
    refusal = media_refusal(actor, session.learner)
    if refusal is not None and not learner_policy.allows(actor, "record_session", session.learner):
        raise PermissionDenied(refusal)
    if refusal is not None:
        raise ValidationError(refusal)
    if kind not in CHECKS:
        raise ValidationError("Please choose a photo, a voice note or a clip.")
    return session_media_keep(actor=actor, session=session, checked=CHECKS[kind](upload))


def session_media_delete(*, actor: Membership, item: SessionMedia) -> str:
    """Delete a photo, voice note or clip for good, with an audit entry naming its kind; its file goes from the disk
    once this is committed (remove_media_file). Refused while a legal hold is in place. Returns the kind."""
    if not may_delete_media(actor, item):
        raise PermissionDenied(MAY_NOT_DELETE)
    learner = item.session.learner
    if current_hold(learner) is not None:
        what = item.get_kind_display().lower()
        raise ValidationError(
            f"A legal hold is in place on {learner.display_name}'s records, so this {what} cannot be deleted until "
            "the hold is lifted. Please tell a co-ordinator."
        )
    kind = item.kind
    with transaction.atomic():
        audit_record(actor=actor, action="session_media.deleted", learner=learner, target=item, detail={"kind": kind})
        item.delete()
    return kind


# --- Files follow their records -----------------------------------------------------------------------------------


def remove_media_file(sender, instance: SessionMedia, **kwargs) -> None:
    """The files go when their record goes (deleted by hand, with its session, by erasure of the person): the file
    as sent, a clip's copy for playing, and anything else in the record's folder (a copy half made)."""
    names = [field.name for field in (instance.file, instance.playable) if field and field.name]
    folder = f"{session_media_path(instance, '')}".rstrip("/") if instance.folder else None
    transaction.on_commit(lambda: _remove_files(names, folder))


def _remove_files(names: list[str], folder: str | None) -> None:
    for name in names:
        default_storage.delete(name)
    if folder is None:
        return
    try:
        path = Path(default_storage.path(folder))
    except NotImplementedError:
        return
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)


def delete_media_no_longer_consented(learner_id: int, purpose: str) -> int:
    """Consent to video withdrawn: the person's photos, voice notes and clips are deleted (already hidden)."""
    if purpose != Purpose.VIDEO:
        return 0
    items = list(SessionMedia.objects.filter(session__learner_id=learner_id))
    for item in items:
        item.delete()
    return len(items)


def connect() -> None:
    post_delete.connect(remove_media_file, sender=SessionMedia, dispatch_uid="practice.session_media.remove_file")
    on_consent_withdrawn(delete_media_no_longer_consented)

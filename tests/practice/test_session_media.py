"""Photos, voice notes and short clips from a session: taken in the quick log or added on the session's page, shown
on the timeline, the session page and (with family consent) the family page, only while consent to video is in
force; a photo's location is removed; refused in plain words when wrong; exported and erased with the person."""

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import av
import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image

from attunement.organisations.models import AuditEntry, Role
from attunement.practice.models import MediaKind, Session, SessionMedia
from attunement.practice.services import session_record
from attunement.practice.session_media import (
    NOT_A_PHOTO,
    NOT_A_VOICE_NOTE,
    check_photo,
    delete_media_no_longer_consented,
    session_media_add,
)
from attunement.privacy.models import Consent
from attunement.records.services import learner_erase, subject_access_export
from attunement.reflection.sample_video import write_sample_video

from ..conftest import details, login, shown
from .test_corrections_views import form_of
from .test_views import quick_log_post

GPS = 0x8825


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def consent(learner, purpose="video"):
    return Consent.objects.create(
        learner=learner,
        purpose=purpose,
        given_by="parent",
        starts_on=timezone.localdate() - timedelta(days=10),
        review_on=timezone.localdate() + timedelta(days=365),
    )


def photo_with_location(name="photo.jpg", size=(64, 48)) -> SimpleUploadedFile:
    """A JPEG as a tablet's camera writes it: the maker, and where it was taken (51°30'N, 0°7'W)."""
    exif = Image.Exif()
    exif[0x010F] = "TabletMaker"
    exif[GPS] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
    out = io.BytesIO()
    Image.new("RGB", size, "orange").save(out, format="JPEG", exif=exif)
    assert dict(Image.open(io.BytesIO(out.getvalue())).getexif().get_ifd(GPS)), "the test photo carries a location"
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def voice_note(tmp_path: Path, seconds: float = 2.0, name="voice-note.webm") -> SimpleUploadedFile:
    """A WebM of Opus sound, as a browser's MediaRecorder makes."""
    path = tmp_path / name
    with av.open(str(path), "w", format="webm") as out:
        stream = out.add_stream("libopus", rate=48000)
        stream.layout = "mono"
        samples = 960
        for index in range(int(seconds * 48000 / samples)):
            t = (np.arange(samples) + index * samples) / 48000
            data = (0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32).reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(data, format="flt", layout="mono")
            frame.sample_rate = 48000
            frame.pts = index * samples
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return SimpleUploadedFile(name, path.read_bytes(), content_type="audio/webm")


def log_url(learner):
    return reverse("practice:log_session", kwargs={"learner_id": learner.pk})


def add_url(session):
    return reverse("practice:session_media_add", kwargs={"learner_id": session.learner_id, "session_id": session.pk})


def a_session(world, learner=None):
    return session_record(actor=world.practitioner, learner=learner or world.mine, details=details()).session


@pytest.mark.django_db
class TestQuickLogPhoto:
    def test_a_photo_taken_in_the_quick_log_is_kept_without_its_location_and_shown_on_the_timeline(self, world, client):
        consent(world.mine)
        login(client, world.practitioner)
        page = client.get(log_url(world.mine)).content.decode()
        assert 'enctype="multipart/form-data"' in page and 'capture="environment"' in page
        response = client.post(log_url(world.mine), {**quick_log_post(), "photo": photo_with_location()}, follow=True)
        assert response.redirect_chain[-1][0] == reverse("practice:timeline", kwargs={"learner_id": world.mine.pk})
        item = SessionMedia.objects.get()
        assert item.kind == MediaKind.PHOTO and item.session.learner == world.mine
        assert "photo" not in item.file.name.rsplit("/", 2)[-2]  # the folder is random, not the file's own name
        stored = Image.open(item.file.path)
        assert not dict(stored.getexif().get_ifd(GPS)), "the stored photo still says where it was taken"
        assert stored.getexif().get(0x010F) == "TabletMaker"  # the rest of what the camera wrote is kept
        url = reverse("practice:media_file", kwargs={"media_id": item.pk})
        assert f'<img src="{url}"' in response.content.decode()
        served = client.get(url)
        assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
        assert Image.open(io.BytesIO(b"".join(served.streaming_content))).size == (64, 48)
        assert AuditEntry.objects.filter(action="session_media.read", learner_id=world.mine.pk).exists()
        assert AuditEntry.objects.filter(action="session_media.added", learner_id=world.mine.pk).exists()

    def test_without_consent_to_video_the_photo_is_not_offered_and_a_sent_one_saves_nothing(self, world, client):
        login(client, world.practitioner)
        page = client.get(log_url(world.mine)).content.decode()
        assert 'name="photo"' not in page
        assert "Photos and voice notes are not offered here" in page and "no consent to video recording" in page
        response = client.post(log_url(world.mine), {**quick_log_post(), "photo": photo_with_location()})
        assert response.status_code == 400
        assert "no consent to video recording" in response.content.decode()
        assert not Session.objects.exists() and not SessionMedia.objects.exists()

    def test_a_file_that_is_not_a_photo_is_refused_and_the_session_waits_with_everything_typed(self, world, client):
        consent(world.mine)
        login(client, world.practitioner)
        bad = SimpleUploadedFile("photo.jpg", b"this is a shopping list, not a picture", content_type="image/jpeg")
        response = client.post(log_url(world.mine), {**quick_log_post(), "photo": bad})
        assert response.status_code == 400
        page = shown(response)
        assert NOT_A_PHOTO in page and "Nothing was saved yet." in page
        assert "We took turns with the drum." in page  # what was typed is still there
        assert not Session.objects.exists() and not SessionMedia.objects.exists()

    def test_a_photo_over_the_size_limit_is_refused_in_plain_words(self, world, client):
        consent(world.mine)
        login(client, world.practitioner)
        huge = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff\xe0" + b"0" * (15 * 1024 * 1024), content_type="image/jpeg")
        response = client.post(log_url(world.mine), {**quick_log_post(), "photo": huge})
        assert response.status_code == 400
        assert "The photo is larger than 15 MB" in response.content.decode()
        assert not SessionMedia.objects.exists()

    def test_a_heic_photo_is_refused_with_what_to_do(self, world):
        heic = SimpleUploadedFile("IMG_1.heic", b"\x00\x00\x00\x18ftypheic" + b"\x00" * 100)
        with pytest.raises(Exception) as refused:
            check_photo(heic)
        assert "HEIC" in str(refused.value) and "Most compatible" in str(refused.value)

    def test_a_png_with_a_location_is_kept_as_png_without_it(self, world):
        exif = Image.Exif()
        exif[GPS] = {1: "S", 2: (33.0, 51.0, 0.0)}
        out = io.BytesIO()
        Image.new("RGB", (20, 20), "blue").save(out, format="PNG", exif=exif)
        checked = check_photo(SimpleUploadedFile("p.png", out.getvalue()))
        assert checked.content_type == "image/png"
        assert not dict(Image.open(io.BytesIO(checked.content.read())).getexif().get_ifd(GPS))

    def test_a_camera_mpo_photo_is_kept_as_its_first_picture_in_jpeg_without_location(self, world):
        exif = Image.Exif()
        exif[GPS] = {1: "N", 2: (51.0, 30.0, 0.0)}
        out = io.BytesIO()
        first, second = Image.new("RGB", (30, 20), "red"), Image.new("RGB", (30, 20), "blue")
        first.save(out, format="MPO", save_all=True, append_images=[second], exif=exif)
        checked = check_photo(SimpleUploadedFile("dscf.jpg", out.getvalue()))
        kept = Image.open(io.BytesIO(checked.content.read()))
        assert checked.content_type == "image/jpeg" and kept.format == "JPEG"
        assert kept.getpixel((15, 10))[0] > 200 and not dict(kept.getexif().get_ifd(GPS))


@given(junk=st.binary(min_size=0, max_size=2048))
@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_bytes_that_are_not_a_picture_are_refused_in_plain_words_never_an_error(junk):
    from django.core.exceptions import ValidationError

    try:
        check_photo(SimpleUploadedFile("x.jpg", junk))
    except ValidationError as refusal:
        assert refusal.messages[0].startswith(("This file is not a photo", "The file is empty", "This photo is in"))


QUEUED = {"X-Attunement-Queue": "1"}


@pytest.mark.django_db
class TestSentFromTheTabletsQueue:
    """A save kept on the tablet with its photo is sent later as multipart/form-data, in the background."""

    def test_a_kept_session_with_its_photo_is_saved_with_the_photo_once(self, world, client):
        consent(world.mine)
        login(client, world.practitioner)
        data = {**quick_log_post(), "photo": photo_with_location()}
        first = client.post(log_url(world.mine), data, headers=QUEUED)
        assert first.json()["state"] == "saved"
        again = client.post(log_url(world.mine), {**data, "photo": photo_with_location()}, headers=QUEUED)
        assert again.json()["state"] == "already_saved"  # the answer was lost and the tablet sent it again
        assert Session.objects.count() == 1
        item = SessionMedia.objects.get()
        assert item.session == Session.objects.get() and item.kind == MediaKind.PHOTO
        assert not dict(Image.open(item.file.path).getexif().get_ifd(GPS))

    def test_a_kept_photo_that_is_not_a_picture_is_refused_with_the_reason_itself_and_nothing_saved(
        self, world, client
    ):
        consent(world.mine)
        login(client, world.practitioner)
        bad = SimpleUploadedFile("photo.jpg", b"not a picture at all", content_type="image/jpeg")
        response = client.post(log_url(world.mine), {**quick_log_post(), "photo": bad}, headers=QUEUED)
        assert response.status_code == 400
        reasons = response.json()["reasons"]
        assert any(NOT_A_PHOTO in reason for reason in reasons), reasons
        assert not any("see below" in reason for reason in reasons)  # there is no "below" on the tablet's list
        assert not Session.objects.exists() and not SessionMedia.objects.exists()

    def test_a_kept_photo_after_consent_was_withdrawn_is_refused_saying_why(self, world, client):
        login(client, world.practitioner)  # no consent to video in force
        response = client.post(
            log_url(world.mine), {**quick_log_post(), "photo": photo_with_location()}, headers=QUEUED
        )
        assert response.status_code == 400
        assert any("no consent to video recording" in reason for reason in response.json()["reasons"])
        assert not Session.objects.exists()

    def test_the_quick_log_says_whether_files_may_wait_as_the_organisation_chose(self, world, client):
        consent(world.mine)
        login(client, world.practitioner)
        assert 'data-offline-files="keep"' not in client.get(log_url(world.mine)).content.decode()  # the default
        world.school.media_wait_on_tablets = True
        world.school.save()
        assert 'data-offline-files="keep"' in client.get(log_url(world.mine)).content.decode()

    def test_a_coordinator_lets_files_wait_on_tablets_in_the_settings_and_a_practitioner_cannot(self, world, client):
        url = reverse("practice:settings")
        login(client, world.practitioner)
        assert client.post(url, {"media_wait_on_tablets": "on"}).status_code == 403
        world.school.refresh_from_db()
        assert not world.school.media_wait_on_tablets
        login(client, world.coordinator)
        page = client.get(url)
        assert "Photos, voice notes and clips may wait on a tablet with no connection" in shown(page)
        data = form_of(page)
        data["media_wait_on_tablets"] = ["on"]
        assert client.post(url, data).status_code == 302
        world.school.refresh_from_db()
        assert world.school.media_wait_on_tablets
        assert AuditEntry.objects.filter(action="organisation.settings_changed").exists()
        data.pop("media_wait_on_tablets")
        data["version"] = form_of(client.get(url))["version"]
        assert client.post(url, data).status_code == 302
        world.school.refresh_from_db()
        assert not world.school.media_wait_on_tablets  # unticked, it is taken back


@pytest.mark.django_db
class TestOnTheSessionPage:
    def test_a_voice_note_added_after_saving_is_kept_and_played_on_the_session_page(self, world, client, tmp_path):
        consent(world.mine)
        session = a_session(world)
        login(client, world.practitioner)
        page = client.get(reverse("practice:session", args=[world.mine.pk, session.pk])).content.decode()
        assert "Photos and voice notes" in page and "media-capture.js" in page and 'name="voice_note"' in page
        response = client.post(add_url(session), {"voice_note": voice_note(tmp_path)}, follow=True)
        assert "Voice note added." in response.content.decode()
        item = SessionMedia.objects.get()
        assert item.kind == MediaKind.AUDIO and item.content_type == "audio/webm"
        assert 1.5 < item.duration < 2.5
        url = reverse("practice:media_file", kwargs={"media_id": item.pk})
        assert f'<audio controls preload="none" src="{url}"' in response.content.decode()
        assert client.get(url)["Content-Type"] == "audio/webm"

    def test_a_voice_note_over_three_minutes_is_refused(self, world, client, tmp_path):
        consent(world.mine)
        session = a_session(world)
        login(client, world.practitioner)
        response = client.post(add_url(session), {"voice_note": voice_note(tmp_path, seconds=181)}, follow=True)
        assert "Nothing was added. The voice note is longer than 3 minutes" in response.content.decode()
        assert not SessionMedia.objects.exists()

    def test_a_video_sent_as_a_voice_note_is_refused(self, world, client, tmp_path):
        consent(world.mine)
        session = a_session(world)
        film = write_sample_video(tmp_path / "film.webm", seconds=1, codec="libvpx", width=64, height=48)
        login(client, world.practitioner)
        upload = SimpleUploadedFile("voice-note.webm", film.read_bytes())
        response = client.post(add_url(session), {"voice_note": upload}, follow=True)
        assert NOT_A_VOICE_NOTE in response.content.decode()
        assert not SessionMedia.objects.exists()

    def test_a_short_clip_is_kept_and_a_long_one_refused(self, world, client, tmp_path):
        consent(world.mine)
        session = a_session(world)
        login(client, world.practitioner)
        short = write_sample_video(tmp_path / "short.mp4", seconds=2, width=64, height=48)
        response = client.post(add_url(session), {"clip": SimpleUploadedFile("s.mp4", short.read_bytes())}, follow=True)
        assert "Clip added." in response.content.decode()
        assert SessionMedia.objects.get().content_type == "video/mp4"
        long = write_sample_video(tmp_path / "long.mp4", seconds=61, width=64, height=48, fps=5, audio=False)
        response = client.post(add_url(session), {"clip": SimpleUploadedFile("l.mp4", long.read_bytes())}, follow=True)
        assert "Nothing was added." in response.content.decode()
        assert SessionMedia.objects.count() == 1

    def test_nothing_chosen_says_so(self, world, client):
        consent(world.mine)
        session = a_session(world)
        login(client, world.practitioner)
        response = client.post(add_url(session), {}, follow=True)
        assert "Please take a photo, record a voice note or choose a clip first." in response.content.decode()


@pytest.mark.django_db
class TestConsent:
    def test_withdrawing_consent_to_video_hides_media_at_once_and_refuses_more(self, world, client):
        given = consent(world.mine)
        session = a_session(world)
        item = session_media_add(actor=world.practitioner, session=session, kind="photo", upload=photo_with_location())
        login(client, world.practitioner)
        url = reverse("practice:media_file", kwargs={"media_id": item.pk})
        timeline = reverse("practice:timeline", kwargs={"learner_id": world.mine.pk})
        assert client.get(url).status_code == 200 and url in client.get(timeline).content.decode()
        Consent.objects.filter(pk=given.pk).update(withdrawn_on=timezone.localdate())
        assert client.get(url).status_code == 404
        assert url not in client.get(timeline).content.decode()
        page = client.get(reverse("practice:session", args=[world.mine.pk, session.pk])).content.decode()
        assert url not in page and "no consent to video recording" in page
        response = client.post(add_url(session), {"photo": photo_with_location()}, follow=True)
        assert "Nothing was added." in response.content.decode()
        assert SessionMedia.objects.count() == 1

    def test_withdrawal_clean_up_deletes_the_files(self, world, django_capture_on_commit_callbacks):
        consent(world.mine)
        item = session_media_add(
            actor=world.practitioner, session=a_session(world), kind="photo", upload=photo_with_location()
        )
        path = Path(item.file.path)
        with django_capture_on_commit_callbacks(execute=True):
            assert delete_media_no_longer_consented(world.mine.pk, "video") == 1
        assert not SessionMedia.objects.exists() and not path.exists()

    def test_family_see_photos_only_with_family_consent_and_never_voice_notes(self, world, client, tmp_path):
        consent(world.mine)
        session = a_session(world)
        photo = session_media_add(actor=world.practitioner, session=session, kind="photo", upload=photo_with_location())
        audio = session_media_add(actor=world.practitioner, session=session, kind="audio", upload=voice_note(tmp_path))
        family = world.members[Role.FAMILY]
        login(client, family)
        photo_url = reverse("practice:media_file", kwargs={"media_id": photo.pk})
        audio_url = reverse("practice:media_file", kwargs={"media_id": audio.pk})
        assert client.get(photo_url).status_code == 404  # no agreement to share with family yet
        consent(world.mine, "family")
        page = client.get(reverse("practice:family_person", kwargs={"learner_id": world.mine.pk})).content.decode()
        assert photo_url in page and audio_url not in page
        assert client.get(photo_url).status_code == 200
        assert client.get(audio_url).status_code == 404

    def test_staff_who_do_not_work_with_the_person_cannot_open_the_file(self, world, client):
        consent(world.unassigned)
        session = session_record(actor=world.coordinator, learner=world.unassigned, details=details()).session
        item = session_media_add(actor=world.coordinator, session=session, kind="photo", upload=photo_with_location())
        login(client, world.practitioner)
        assert client.get(reverse("practice:media_file", kwargs={"media_id": item.pk})).status_code == 404


@pytest.mark.django_db
class TestExportAndErasure:
    def test_the_export_holds_the_files_and_erasure_removes_them_from_disk(
        self, world, tmp_path, django_capture_on_commit_callbacks
    ):
        consent(world.mine)
        session = a_session(world)
        photo = session_media_add(actor=world.practitioner, session=session, kind="photo", upload=photo_with_location())
        audio = session_media_add(actor=world.practitioner, session=session, kind="audio", upload=voice_note(tmp_path))
        export = subject_access_export(actor=world.coordinator, learner=world.mine)
        with zipfile.ZipFile(export.file) as archive:
            data = json.loads(archive.read("data.json"))
            listed = {m["id"]: m for m in data["session_media"]}
            assert listed[photo.pk]["kind"] == "Photo" and listed[audio.pk]["kind"] == "Voice note"
            kept = Image.open(io.BytesIO(archive.read(listed[photo.pk]["file"])))
            assert kept.size == (64, 48) and not dict(kept.getexif().get_ifd(GPS))
            assert archive.read(listed[audio.pk]["file"]) == Path(audio.file.path).read_bytes()
            assert "Photos, voice notes and clips from sessions (2)" in archive.read("summary.html").decode()
        paths = [Path(photo.file.path), Path(audio.file.path)]
        assert all(path.exists() for path in paths)
        with django_capture_on_commit_callbacks(execute=True):
            learner_erase(actor=world.members[Role.ADMINISTRATOR], learner=world.mine, typed_name="Mina Test")
        assert not SessionMedia.objects.exists()
        assert not any(path.exists() for path in paths), "a file of the erased person was left on disk"


# --- Clips filmed on tablets: kept as filmed, and copied for playing where not every browser plays them ---------

# What tablets film: an iPad or iPhone HEVC in QuickTime (.mov), held upright (portrait: the pictures are stored
# on their side with a turn to show them upright), or H.264 when set to "Most compatible"; an Android tablet
# H.264 or HEVC in MP4; Chrome's recorder VP9 in WebM. Stored 480 x 272 (a phone's 16:9, small to keep the
# test quick); the copy fits 720 x 720, so here it keeps that size, turned upright.
TABLET_FILMS = {
    "ipad-hevc.mov": dict(codec="libx265", copy=True),
    "android-hevc.mp4": dict(codec="libx265", copy=True),
    "iphone-compatible-h264.mov": dict(codec="libx264", copy=False),
    "iphone-portrait-hevc.mov": dict(codec="libx265", rotation=-90, copy=True),
    "iphone-portrait-h264.mov": dict(codec="libx264", rotation=-90, copy=False),
    "android-h264.mp4": dict(codec="libx264", copy=False),
    "chrome-vp9.webm": dict(codec="libvpx-vp9", copy=False),
}


def tablet_film(tmp_path: Path, name: str, seconds: float = 1.0) -> Path:
    options = {key: value for key, value in TABLET_FILMS[name].items() if key != "copy"}
    return write_sample_video(tmp_path / name, seconds=seconds, width=480, height=272, fps=10, **options)


def picture_of(data: bytes) -> tuple[str, int, int, int]:
    """The codec, the upright size and the turn of a video's picture, read from its bytes."""
    with av.open(io.BytesIO(data)) as container:
        frame = next(container.decode(video=0))
        turn = round((frame.rotation or 0) / 90) * 90 % 360
        size = (frame.height, frame.width) if turn in (90, 270) else (frame.width, frame.height)
        return container.streams.video[0].codec_context.name, *size, turn


def served(client, item) -> bytes:
    response = client.get(reverse("practice:media_file", kwargs={"media_id": item.pk}))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@pytest.mark.django_db
class TestClipsFromTablets:
    @pytest.mark.parametrize("name", list(TABLET_FILMS))
    def test_a_clip_from_any_tablet_is_kept_as_filmed_and_the_player_gets_one_every_browser_plays(
        self, name, world, client, tmp_path, django_capture_on_commit_callbacks
    ):
        consent(world.mine)
        session = a_session(world)
        login(client, world.practitioner)
        film = tablet_film(tmp_path, name)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(add_url(session), {"clip": SimpleUploadedFile(name, film.read_bytes())}, follow=True)
        assert "Clip added." in response.content.decode()
        item = SessionMedia.objects.get()
        assert Path(item.file.path).read_bytes() == film.read_bytes(), "the clip as filmed was not kept as sent"
        codec, width, height, _ = picture_of(film.read_bytes())
        player_gets = served(client, item)
        if TABLET_FILMS[name]["copy"]:
            assert item.copy_status == "ready" and Path(item.playable.path).exists()
            assert picture_of(player_gets) == ("h264", width, height, 0), "the copy is not H.264, upright, same size"
            assert player_gets == Path(item.playable.path).read_bytes()
        else:
            assert item.copy_status == "" and not item.playable
            assert player_gets == film.read_bytes()  # it plays everywhere as it is
        page = client.get(reverse("practice:session", args=[world.mine.pk, session.pk])).content.decode()
        assert '<video controls preload="none" class="media-clip"' in page and "being prepared" not in page

    def test_a_portrait_clip_filmed_in_1080p_is_copied_upright_at_720_pixels_on_its_long_side(
        self, world, tmp_path, django_capture_on_commit_callbacks
    ):
        consent(world.mine)
        film = write_sample_video(
            tmp_path / "portrait.mov", seconds=0.5, width=1920, height=1080, fps=10, codec="libx265", rotation=-90
        )
        with django_capture_on_commit_callbacks(execute=True):
            item = session_media_add(
                actor=world.practitioner,
                session=a_session(world),
                kind="clip",
                upload=SimpleUploadedFile("portrait.mov", film.read_bytes()),
            )
        item.refresh_from_db()
        assert picture_of(film.read_bytes())[1:] == (1080, 1920, 270)  # on its side, turned to show upright
        assert picture_of(Path(item.playable.path).read_bytes()) == ("h264", 406, 720, 0)

    def test_while_the_copy_is_made_the_clip_says_so_and_then_plays(
        self, world, client, tmp_path, settings, django_capture_on_commit_callbacks
    ):
        from attunement.reflection.tasks import session_clip_copy_make

        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # queued, not run
        consent(world.mine)
        consent(world.mine, "family")
        session = a_session(world)
        login(client, world.practitioner)
        film = tablet_film(tmp_path, "ipad-hevc.mov")
        with django_capture_on_commit_callbacks(execute=True):
            client.post(add_url(session), {"clip": SimpleUploadedFile("IMG_0001.MOV", film.read_bytes())})
        item = SessionMedia.objects.get()
        url = reverse("practice:media_file", kwargs={"media_id": item.pk})
        pages = {
            "session": (client, reverse("practice:session", args=[world.mine.pk, session.pk])),
            "timeline": (client, reverse("practice:timeline", kwargs={"learner_id": world.mine.pk})),
        }
        family = Client()
        login(family, world.members[Role.FAMILY])
        pages["family"] = (family, reverse("practice:family_person", kwargs={"learner_id": world.mine.pk}))
        for where, (who, address) in pages.items():
            page = who.get(address).content.decode()
            assert "This clip is being prepared" in page, where
            assert f'src="{url}"' not in page, f"{where} offers a player before the clip plays everywhere"
        assert session_clip_copy_make.call(item.pk) == {"made": True}  # what the worker does
        for where, (who, address) in pages.items():
            page = who.get(address).content.decode()
            assert "This clip is being prepared" not in page and f'src="{url}"' in page, where
        assert picture_of(served(client, item))[0] == "h264"
        assert session_clip_copy_make.call(item.pk) == {"made": False}  # run twice: left alone

    def test_a_clip_that_cannot_be_copied_is_offered_as_filmed_and_says_it_may_not_play(
        self, world, client, tmp_path, monkeypatch, django_capture_on_commit_callbacks
    ):
        import attunement.reflection.tasks as tasks
        from attunement.media import NOT_CONVERTED, MediaProblem

        def fails(*args, **kwargs):
            raise MediaProblem(NOT_CONVERTED)

        monkeypatch.setattr(tasks, "make_proxy", fails)
        consent(world.mine)
        session = a_session(world)
        login(client, world.practitioner)
        film = tablet_film(tmp_path, "android-hevc.mp4")
        with django_capture_on_commit_callbacks(execute=True):
            client.post(add_url(session), {"clip": SimpleUploadedFile("VID.mp4", film.read_bytes())})
        item = SessionMedia.objects.get()
        assert item.copy_status == "failed" and not item.playable
        page = client.get(reverse("practice:session", args=[world.mine.pk, session.pk])).content.decode()
        assert "could not be prepared for every tablet" in page
        assert served(client, item) == film.read_bytes()

    def test_the_export_gives_the_clip_as_filmed_and_erasure_removes_it_and_its_copy(
        self, world, tmp_path, django_capture_on_commit_callbacks
    ):
        consent(world.mine)
        film = tablet_film(tmp_path, "iphone-portrait-hevc.mov")
        with django_capture_on_commit_callbacks(execute=True):
            item = session_media_add(
                actor=world.practitioner,
                session=a_session(world),
                kind="clip",
                upload=SimpleUploadedFile("IMG_0002.MOV", film.read_bytes()),
            )
        item.refresh_from_db()
        export = subject_access_export(actor=world.coordinator, learner=world.mine)
        with zipfile.ZipFile(export.file) as archive:
            listed = json.loads(archive.read("data.json"))["session_media"][0]
            assert archive.read(listed["file"]) == film.read_bytes() and listed["copy_for_playing_kept"] is True
        folder = Path(item.file.path).parent
        (folder / "playable.part9.mp4").write_bytes(b"half made")  # a copy whose worker stopped part way
        assert Path(item.playable.path).exists()
        with django_capture_on_commit_callbacks(execute=True):
            learner_erase(actor=world.members[Role.ADMINISTRATOR], learner=world.mine, typed_name="Mina Test")
        assert not SessionMedia.objects.exists()
        assert not folder.exists(), "the clip, its copy or a part of it was left on disk"

    def test_a_clip_deleted_while_its_copy_is_made_leaves_nothing_behind(
        self, world, tmp_path, settings, monkeypatch, django_capture_on_commit_callbacks
    ):
        import attunement.reflection.tasks as tasks

        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # queued, not run
        consent(world.mine)
        film = tablet_film(tmp_path, "ipad-hevc.mov")
        item = session_media_add(
            actor=world.practitioner,
            session=a_session(world),
            kind="clip",
            upload=SimpleUploadedFile("IMG.MOV", film.read_bytes()),
        )
        folder = Path(item.file.path).parent
        real_make_proxy = tasks.make_proxy

        def deleted_meanwhile(*args, **kwargs):
            result = real_make_proxy(*args, **kwargs)
            with django_capture_on_commit_callbacks(execute=True):
                SessionMedia.objects.get(pk=item.pk).delete()  # with the person's erasure, say
            return result

        monkeypatch.setattr(tasks, "make_proxy", deleted_meanwhile)
        assert tasks.session_clip_copy_make.call(item.pk) == {"made": False}
        assert not folder.exists(), "a copy of a deleted clip was left on disk"
        assert tasks.session_clip_copy_make.call(item.pk) == {"made": False}  # queued again: nothing to do

    def test_a_copy_whose_worker_stopped_is_queued_again(
        self, world, tmp_path, settings, django_capture_on_commit_callbacks
    ):
        from django_tasks_db.models import DBTaskResult

        from attunement.reflection.tasks import recover_stalled_work, session_clip_copy_make

        consent(world.mine)
        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
        item = session_media_add(
            actor=world.practitioner,
            session=a_session(world),
            kind="clip",
            upload=SimpleUploadedFile("IMG.MOV", tablet_film(tmp_path, "ipad-hevc.mov").read_bytes()),
        )
        long_ago = timezone.now() - timedelta(minutes=10)
        SessionMedia.objects.filter(pk=item.pk).update(attempts=1, heartbeat_at=long_ago, queued_at=long_ago)
        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
        with django_capture_on_commit_callbacks(execute=True):
            assert recover_stalled_work()["queued_again"] == 1
        assert DBTaskResult.objects.filter(task_path=session_clip_copy_make.module_path).count() == 1
        SessionMedia.objects.filter(pk=item.pk).update(attempts=3, heartbeat_at=long_ago, queued_at=long_ago)
        DBTaskResult.objects.all().delete()
        assert recover_stalled_work()["failed"] == 1
        item.refresh_from_db()
        assert item.copy_status == "failed"
        assert item.problem.startswith("The computer stopped while preparing this clip for playing three times.")

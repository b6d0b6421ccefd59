"""Each limit a form states is written once. Changing the setting (file sizes) or the practice constant (a
session's minutes) changes the form's check, the service's check, the words on the page and the attributes
the page's script reads, together."""

import html
import re
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from attunement.codings.forms import ImportForm
from attunement.codings.services import coding_pass_import
from attunement.learners.forms import LearnerForm
from attunement.learners.services import learner_create
from attunement.means.forms import CompletionForm
from attunement.means.services import certificate_kind
from attunement.practice import services as practice_services
from attunement.practice.services import session_record
from attunement.reflection.forms import VideoUploadForm
from attunement.reflection.uploads import SizeLimitedUploadHandler
from attunement.reflection.video_services import video_upload

from .conftest import details, login
from .reflection.conftest import a_session
from .reflection.videos import consent

MB = 1024 * 1024


def attributes(page: str, element_id: str) -> dict[str, str]:
    """The attributes of the element with this id, unescaped."""
    tag = re.search(rf'<(?:input|textarea|select)\b[^>]*\bid="{element_id}"[^>]*>', page)
    assert tag, f"no input with id {element_id}"
    return {name: html.unescape(value) for name, value in re.findall(r'([\w-]+)="([^"]*)"', tag.group(0))}


def a_file(size: int, name="file.bin") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"\x89PNG" + b"0" * (size - 4), content_type="application/octet-stream")


def refusal(call) -> str:
    with pytest.raises(ValidationError) as raised:
        call()
    return " ".join(raised.value.messages)


def field_refusal(form_class, name, upload) -> str:
    """What the form's field says about this upload ("" if it takes it)."""
    try:
        form_class.base_fields[name].clean(upload)
    except ValidationError as error:
        return " ".join(error.messages)
    return ""


@pytest.fixture
def photo_case(world):
    def page(client):
        login(client, world.coordinator)
        return client.get(reverse("learners:create")).content.decode(), "id_photo"

    def service(size):
        learner_create(actor=world.coordinator, photo=a_file(size, "a.png"), first_name="Ada", last_name="Test")

    return "LEARNER_PHOTO_MAX_BYTES", page, (LearnerForm, "photo"), service


@pytest.fixture
def certificate_case(world):
    def page(client):
        login(client, world.coordinator)
        return client.get(reverse("means:training_record")).content.decode(), "id_certificate"

    def service(size):
        certificate_kind(a_file(size, "c.pdf"))

    return "TRAINING_CERTIFICATE_MAX_BYTES", page, (CompletionForm, "certificate"), service


@pytest.fixture
def coding_case(world):
    session = a_session(world)

    def page(client):
        login(client, world.practitioner)
        url = reverse("reflection:import", kwargs={"learner_id": session.learner_id, "session_id": session.pk})
        return client.get(url).content.decode(), "id_file"

    def service(size):
        coding_pass_import(actor=world.practitioner, session=session, data=b"0" * size)

    return "CODING_IMPORT_MAX_BYTES", page, (ImportForm, "file"), service


@pytest.fixture
def video_case(world, tmp_path):
    session = a_session(world)
    consent(session.learner)

    def page(client):
        login(client, world.practitioner)
        url = reverse("reflection:video_add", kwargs={"learner_id": session.learner_id, "session_id": session.pk})
        return client.get(url).content.decode(), "video-file"

    def service(size):
        path = tmp_path / "v.mp4"
        path.write_bytes(b"0")
        video_upload(actor=world.practitioner, session=session, path=str(path), size=size, original_name="v.mp4")

    return "VIDEO_MAX_BYTES", page, (VideoUploadForm, "file"), service


@pytest.mark.django_db
@pytest.mark.parametrize("case", ["photo_case", "certificate_case", "coding_case", "video_case"])
@pytest.mark.parametrize("limit,words", [(int(1.5 * MB), "1.5 MB"), (3 * MB, "3 MB")])
def test_a_file_size_limit_follows_its_setting_everywhere(request, client, settings, case, limit, words, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    setting, page, form_field, service = request.getfixturevalue(case)
    setattr(settings, setting, limit)

    text, input_id = page(client)
    box = attributes(text, input_id)
    assert box["data-max-bytes"] == str(limit)
    assert words in box["data-too-big"]
    help_id = next(ref for ref in box["aria-describedby"].split() if ref.endswith("_helptext"))
    assert words in html.unescape(re.search(rf'id="{help_id}">([^<]*)<', text).group(1))

    assert field_refusal(*form_field, a_file(limit + 1)) == box["data-too-big"]
    assert field_refusal(*form_field, a_file(limit)) != box["data-too-big"]
    assert refusal(lambda: service(limit + 1)) == box["data-too-big"]
    if setting == "VIDEO_MAX_BYTES":  # the upload is also cut off while it streams in
        assert SizeLimitedUploadHandler().limit == limit


@pytest.mark.django_db
def test_the_minutes_limits_follow_the_practice_constants(world, client, monkeypatch):
    monkeypatch.setattr(practice_services, "USUAL_MINUTES", (2, 45))
    monkeypatch.setattr(practice_services, "LONGEST_MINUTES", 200)
    login(client, world.practitioner)
    url = reverse("practice:log_session", kwargs={"learner_id": world.mine.pk})
    box = attributes(client.get(url).content.decode(), "id_minutes")
    assert (box["min"], box["max"], box["data-usual-max"]) == ("2", "200", "45")

    def saved(minutes, **extra):
        return lambda: session_record(
            actor=world.practitioner, learner=world.mine, details=details(minutes=minutes, **extra)
        )

    assert refusal(saved(1)) == box["data-too-few"]
    assert refusal(saved(201)) == box["data-too-many"].replace("{minutes}", "201")
    assert "more than 200 minutes" in box["data-too-many"]
    assert refusal(saved(46)) == box["data-unusual"].replace("{minutes}", "46")
    saved(45)()
    saved(46, long_session_confirmed=True)()

    sent = {"submission_key": str(uuid.uuid4()), "minutes": "46", "started_at": "2026-01-05T10:00", "planned": "false"}
    page = client.post(url, sent).content.decode()
    assert html.escape(box["data-unusual"].replace("{minutes}", "46"), quote=False) in page

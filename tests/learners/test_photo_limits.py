"""A small file describing a huge picture is refused from its header, before Pillow decodes a single pixel."""

import io
import resource
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from attunement.learners.models import Learner

from ..conftest import login


def huge_png(width=13_000, height=13_000) -> bytes:
    """A valid one-bit PNG of width × height white pixels: a few tens of KB on disk, hundreds of MB decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + b"\xff" * ((width + 7) // 8)
    squash = zlib.compressobj(9)
    body = b"".join(squash.compress(row * 500) for _ in range(height // 500))
    body += squash.compress(row * (height % 500)) + squash.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


@pytest.fixture
def decoded(monkeypatch):
    """The sizes of every picture Pillow decodes during the test."""
    sizes = []
    original = Image.Image.load

    def load(self):
        sizes.append(self.size)
        return original(self)

    monkeypatch.setattr(Image.Image, "load", load)
    return sizes


def _edit(client, learner, **extra):
    data = {
        "first_name": "Changed",
        "last_name": "Test",
        "version": str(learner.version),
        "people-TOTAL_FORMS": "0",
        "people-INITIAL_FORMS": "0",
        **extra,
    }
    return client.post(reverse("learners:edit", kwargs={"learner_id": learner.pk}), data)


@pytest.mark.django_db
@pytest.mark.parametrize("size", [(13_000, 13_000), (7_000, 6_000)], ids=["past-pillow-bomb-limit", "just-over"])
def test_a_huge_picture_in_a_small_file_is_refused_without_decoding(world, client, settings, tmp_path, decoded, size):
    settings.MEDIA_ROOT = tmp_path
    data = huge_png(*size)
    assert len(data) < 200_000
    login(client, world.coordinator)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    response = _edit(client, world.mine, photo=SimpleUploadedFile("me.png", data, content_type="image/png"))
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    page = response.content.decode()
    assert response.status_code == 200
    assert "the most we take is 40 million pixels" in page
    if size == (7_000, 6_000):
        assert "7,000 × 6,000 pixels" in page
    assert not [s for s in decoded if s[0] * s[1] > 1_000_000]
    assert grown_mb < 100
    world.mine.refresh_from_db()
    assert world.mine.first_name == "Mina" and not world.mine.photo
    assert not list(tmp_path.rglob("*.jpg"))


@pytest.mark.django_db
def test_a_huge_picture_is_refused_when_adding_a_person_too(world, client, settings, tmp_path, decoded):
    settings.MEDIA_ROOT = tmp_path
    login(client, world.coordinator)
    photo = SimpleUploadedFile("me.png", huge_png(), content_type="image/png")
    data = {"first_name": "Ada", "last_name": "Lowe", "people-TOTAL_FORMS": "0", "people-INITIAL_FORMS": "0"}
    response = client.post(reverse("learners:create"), {**data, "photo": photo})
    assert response.status_code == 200 and "the most we take is 40 million pixels" in response.content.decode()
    assert not Learner.objects.filter(first_name="Ada").exists()
    assert not decoded


@pytest.mark.django_db
def test_a_picture_under_the_limit_is_still_taken(world, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    login(client, world.coordinator)
    buffer = io.BytesIO()
    Image.new("RGB", (3000, 2000), (10, 20, 30)).save(buffer, format="PNG")
    photo = SimpleUploadedFile("me.png", buffer.getvalue(), content_type="image/png")
    assert _edit(client, world.mine, photo=photo).status_code == 302
    world.mine.refresh_from_db()
    with Image.open(world.mine.photo.path) as stored:
        assert stored.size == (512, 341)


@pytest.mark.django_db
def test_the_photo_size_limit_the_form_states_is_the_one_it_applies(world, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.LEARNER_PHOTO_MAX_BYTES = 1024 * 1024
    login(client, world.coordinator)
    learner = world.mine
    page = client.get(reverse("learners:edit", kwargs={"learner_id": learner.pk})).content.decode()
    assert "A JPEG or PNG under 1 MB." in page and "5 MB" not in page
    picture = io.BytesIO()
    Image.effect_noise((800, 800), 100).convert("RGB").save(picture, "PNG")  # noise does not compress: over 1 MB
    assert len(picture.getvalue()) > 1024 * 1024
    upload = SimpleUploadedFile("big.png", picture.getvalue(), content_type="image/png")
    refused = _edit(client, learner, photo=upload).content.decode()
    assert "That photo is larger than 1 MB. Please choose a smaller one." in refused
    learner.refresh_from_db()
    assert not learner.photo

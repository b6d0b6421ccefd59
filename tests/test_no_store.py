"""No page or file naming a person may be kept by the browser or a proxy on the way."""

import io
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from attunement.learners.photos import replace_photo
from attunement.practice.services import session_record
from attunement.privacy.models import Consent
from attunement.reflection.models import SessionVideo

from .conftest import details, login


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _not_kept(response):
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives, response["Cache-Control"]
    assert not directives & {"public"} and not any(
        d.startswith(("max-age=", "s-maxage=")) and d.split("=")[1] != "0" for d in directives
    ), response["Cache-Control"]
    assert response["Pragma"] == "no-cache"


@pytest.mark.django_db
def test_pages_and_files_about_a_person_are_never_stored_by_a_cache(world, client):
    learner = world.mine
    session = session_record(actor=world.practitioner, learner=learner, details=details()).session
    picture = io.BytesIO()
    Image.new("RGB", (8, 8)).save(picture, format="PNG")
    replace_photo(learner, picture)
    video = SessionVideo.objects.create(
        session=session,
        uploaded_by=world.practitioner,
        folder="nostore",
        original="videos/nostore/original.mp4",
        size_bytes=1,
        duration=1.0,
        width=640,
        height=360,
        status="ready",
    )
    video.proxy = video.proxy.storage.save("videos/nostore/proxy.mp4", ContentFile(b"0" * 2048))
    video.save()
    Consent.objects.create(
        learner=learner,
        purpose="video",
        given_by="person",
        starts_on=timezone.localdate(),
        review_on=timezone.localdate() + timedelta(days=365),
    )
    login(client, world.practitioner)
    about = reverse("learners:about", kwargs={"learner_id": learner.pk})
    answers = {
        "about me": client.get(about),
        "about me, HEAD": client.head(about),
        "timeline": client.get(reverse("practice:timeline", kwargs={"learner_id": learner.pk})),
        "photo": client.get(reverse("learners:photo", kwargs={"learner_id": learner.pk})),
        "report PDF": client.get(
            reverse("learners:report", kwargs={"learner_id": learner.pk, "kind": "story"}), {"format": "pdf"}
        ),
        "video": client.get(reverse("reflection:video_proxy", args=[video.pk])),
        "part of the video": client.get(reverse("reflection:video_proxy", args=[video.pk]), HTTP_RANGE="bytes=0-99"),
    }
    for what, response in answers.items():
        assert response.status_code in (200, 206), what
        _not_kept(response)
    assert answers["report PDF"]["Content-Type"] == "application/pdf"
    assert answers["part of the video"].status_code == 206


@pytest.mark.django_db
def test_the_sign_in_page_is_not_stored_either(client):
    _not_kept(client.get(reverse("account_login")))

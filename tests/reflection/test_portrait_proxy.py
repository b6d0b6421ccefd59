"""A phone video held upright plays at full height, and the boxes drawn on it for the measures are checked
against the picture actually shown (also for a portrait proxy made before, at 202 x 360)."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image

from attunement.interaction.analyses import parse_region, proxy_size

from .conftest import a_session
from .videos import a_video_record


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def a_portrait_video(world, poster_size=None):
    video = a_video_record(a_session(world), world.practitioner, name="portrait", width=1080, height=1920)
    if poster_size is not None:
        picture = io.BytesIO()
        Image.new("RGB", poster_size).save(picture, format="JPEG")
        video.poster.save("poster.jpg", ContentFile(picture.getvalue()), save=True)
    return video


def test_a_portrait_video_s_boxes_may_use_its_full_height(world):
    video = a_portrait_video(world, poster_size=(360, 640))
    assert proxy_size(video) == (360, 640)
    assert parse_region("0,320,360,320", video, "learner_region") == "0,320,360,320"


def test_without_a_poster_the_size_is_the_one_the_proxy_is_made_at(world):
    assert proxy_size(a_portrait_video(world)) == (360, 640)


def test_a_portrait_proxy_made_before_keeps_its_own_size(world):
    video = a_portrait_video(world, poster_size=(202, 360))
    assert proxy_size(video) == (202, 360)
    with pytest.raises(ValidationError, match="202 × 360"):
        parse_region("0,0,360,640", video, "learner_region")

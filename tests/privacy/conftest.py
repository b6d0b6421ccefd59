import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from attunement.privacy.services import consent_record


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def today():
    return timezone.localdate()


def a_consent(world, learner=None, *, actor=None, purpose="video", starts=0, review=365, **extra):
    values = {
        "given_by": "parent",
        "giver_name": "Ruth Test",
        "starts_on": today() + timedelta(days=starts),
        "review_on": today() + timedelta(days=review),
    }
    values.update(extra)
    return consent_record(actor=actor or world.coordinator, learner=learner or world.mine, purpose=purpose, **values)


def png() -> io.BytesIO:
    picture = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(picture, format="PNG")
    picture.seek(0)
    return picture

"""A video upload that announces more than the limit is refused at once, in plain words, and nothing is kept."""

import pytest

from attunement.reflection.models import SessionVideo

from ..conftest import login
from .conftest import a_session
from .videos import add_url, consent, media_files, video_file

MESSAGE = "The file is larger than 9.8 KB. Please trim the video, or film a shorter part."


@pytest.fixture
def setup(world, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "incoming")
    (tmp_path / "incoming").mkdir()
    settings.VIDEO_MAX_BYTES = 10_000
    consent(world.mine)
    session = a_session(world)
    login(client, world.practitioner)
    return session, tmp_path


def _nothing_kept(tmp_path):
    assert not SessionVideo.objects.exists()
    assert media_files(tmp_path / "media") == []
    assert list((tmp_path / "incoming").iterdir()) == []


@pytest.mark.django_db
@pytest.mark.parametrize("accept", ["application/json", "text/html"])
def test_an_upload_announcing_more_than_the_limit_is_refused_before_it_is_read(setup, client, accept):
    session, tmp_path = setup
    announced = str(5 * 1024**3)
    response = client.post(add_url(session), {"file": video_file()}, CONTENT_LENGTH=announced, HTTP_ACCEPT=accept)
    assert response.status_code == 413
    if accept == "application/json":
        assert response.json() == {"errors": [MESSAGE]}
    else:
        assert MESSAGE in response.content.decode().replace("&#x27;", "'")
    _nothing_kept(tmp_path)


@pytest.mark.django_db
def test_a_huge_form_field_instead_of_a_file_is_refused_in_plain_words(setup, client, settings):
    session, tmp_path = setup
    settings.VIDEO_MAX_BYTES = 50 * 1024 * 1024
    body = {"file": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)}
    response = client.post(add_url(session), body, HTTP_ACCEPT="application/json")
    assert response.status_code == 413
    assert "not a video file we can take" in response.json()["errors"][0]
    _nothing_kept(tmp_path)

import pytest

from attunement.reflection import video_services
from attunement.reflection.models import SessionVideo

from ..sqlite_lock import only_on_sqlite, save_from_elsewhere
from .conftest import a_session
from .videos import consent, media_files, sample_bytes

pytestmark = only_on_sqlite


@pytest.fixture
def upload(world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    consent(world.mine)
    path = tmp_path / "film.mp4"
    path.write_bytes(sample_bytes(2.0))
    return a_session(world), path


@pytest.mark.django_db(transaction=True)
def test_others_can_save_while_an_uploaded_video_is_checked_and_moved(world, upload, monkeypatch):
    session, path = upload
    seen = []
    real_probe = video_services.probe

    def probe_while_someone_saves(*args, **kwargs):
        seen.append(save_from_elsewhere())
        return real_probe(*args, **kwargs)

    monkeypatch.setattr(video_services, "probe", probe_while_someone_saves)
    video = video_services.video_upload(
        actor=world.practitioner, session=session, path=str(path), size=path.stat().st_size, original_name="film.mp4"
    )
    assert seen == ["saved"]
    assert SessionVideo.objects.get() == video and video.original.storage.exists(video.original.name)


@pytest.mark.django_db(transaction=True)
def test_a_failed_save_leaves_no_file_behind(world, upload, monkeypatch, settings):
    session, path = upload

    def audit_fails(**kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(video_services, "audit_record", audit_fails)
    with pytest.raises(RuntimeError):
        video_services.video_upload(
            actor=world.practitioner, session=session, path=str(path), size=path.stat().st_size, original_name="a.mp4"
        )
    assert not SessionVideo.objects.exists()
    assert media_files(settings.MEDIA_ROOT) == []

import sqlite3
import threading
import zipfile

import pytest
from django.conf import settings
from django.db import connection

from attunement.organisations.models import AuditEntry
from attunement.privacy import export
from attunement.privacy.services import subject_access_export

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="about SQLite's single write lock",
)


def _write_from_elsewhere() -> str:
    """What another user's save meets: a write on its own connection, willing to wait one second."""
    outcome = []

    def write():
        other = sqlite3.connect(connection.settings_dict["NAME"], timeout=1)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("CREATE TABLE IF NOT EXISTS probe (x)")
            other.execute("DROP TABLE probe")
            other.commit()
            outcome.append("saved")
        except sqlite3.OperationalError as error:
            outcome.append(str(error))
        finally:
            other.close()

    thread = threading.Thread(target=write)
    thread.start()
    thread.join()
    return outcome[0]


@pytest.mark.django_db(transaction=True)
def test_others_can_save_while_the_export_zip_is_being_built(world, monkeypatch):
    seen = []
    real = export.render_to_string

    def slow_part_of_the_build(*args, **kwargs):
        seen.append(_write_from_elsewhere())
        return real(*args, **kwargs)

    monkeypatch.setattr(export, "render_to_string", slow_part_of_the_build)
    exported = subject_access_export(actor=world.coordinator, learner=world.mine)
    assert seen == ["saved"]
    assert "data.json" in zipfile.ZipFile(exported.file).namelist()
    assert AuditEntry.objects.filter(action="learner.subject_access_exported", learner_id=world.mine.pk).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_failed_build_records_no_export(world, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(export, "render_to_string", broken)
    with pytest.raises(OSError):
        subject_access_export(actor=world.coordinator, learner=world.mine)
    assert not AuditEntry.objects.filter(action="learner.subject_access_exported").exists()

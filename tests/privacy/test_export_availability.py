import zipfile

import pytest

from attunement.organisations.models import AuditEntry
from attunement.records import export
from attunement.records.services import subject_access_export

from ..sqlite_lock import only_on_sqlite, save_from_elsewhere

pytestmark = only_on_sqlite


@pytest.mark.django_db(transaction=True)
def test_others_can_save_while_the_export_zip_is_being_built(world, monkeypatch):
    seen = []
    real = export.render_to_string

    def slow_part_of_the_build(*args, **kwargs):
        seen.append(save_from_elsewhere(timeout=1))
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

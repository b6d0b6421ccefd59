"""A large coding import is written in short transactions, so others can save meanwhile, and stays all or
nothing: a failure part-way leaves no pass and no events."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from attunement.codings import selectors, services
from attunement.codings.models import CodingEvent, CodingPass
from attunement.organisations.models import AuditEntry

from ..conftest import login
from ..sqlite_lock import only_on_sqlite, save_from_elsewhere
from .conftest import a_session, upload, url

HEADER = "time,subject,code,kind,end,duration,modifiers,comment\n"


def a_csv(events: int) -> bytes:
    return (HEADER + "".join(f"{i},learner,looks,state,{i + 0.5},0.5,,moment {i}\n" for i in range(events))).encode()


@only_on_sqlite
@pytest.mark.django_db(transaction=True)
def test_others_can_save_between_the_batches_of_a_large_import(world, client, monkeypatch):
    monkeypatch.setattr(services, "EVENTS_PER_TRANSACTION", 100)
    seen = []
    monkeypatch.setattr(services, "_let_others_write", lambda: seen.append(save_from_elsewhere()))
    session = a_session(world)
    login(client, world.practitioner)
    response = client.post(url("import", session), {"file": upload(a_csv(450), "big.csv")}, follow=True)
    assert response.status_code == 200
    assert "Coding imported: 450 events" in response.content.decode()
    assert CodingPass.objects.get().events.count() == 450
    assert seen.count("saved") == 4  # between each of the five batches, someone else's save went through


@pytest.mark.django_db(transaction=True)
def test_nobody_sees_a_pass_until_its_last_batch_is_written(world, client, monkeypatch):
    monkeypatch.setattr(services, "EVENTS_PER_TRANSACTION", 100)
    session = a_session(world)
    login(client, world.coordinator)
    seen_meanwhile = []

    def a_colleague_looks():
        page = client.get(url("passes", session)).content.decode()
        listed = selectors.coding_passes_of(actor=world.coordinator, session=session).count()
        seen_meanwhile.append((listed, "big.csv" in page))

    monkeypatch.setattr(services, "_let_others_write", a_colleague_looks)
    services.coding_pass_import(actor=world.practitioner, session=session, data=a_csv(450), filename="big.csv")
    assert seen_meanwhile == [(0, False)] * 4
    assert selectors.coding_passes_of(actor=world.coordinator, session=session).get().events.count() == 450
    assert "big.csv" in client.get(url("passes", session)).content.decode()


@pytest.mark.django_db
def test_an_import_stopped_without_tidying_up_is_removed_by_the_housekeeping(world):
    session = a_session(world)
    an_hour_and_more = timezone.now() - timedelta(minutes=61)
    stopped = CodingPass.objects.create(session=session, title="stopped", source="csv", complete=False)
    CodingEvent.objects.create(coding_pass=stopped, time=1.0, code="L-looks", subject="learner")
    CodingPass.objects.filter(pk=stopped.pk).update(created_at=an_hour_and_more)
    being_written = CodingPass.objects.create(session=session, title="now", source="csv", complete=False)
    finished = CodingPass.objects.create(session=session, title="done", source="csv")
    CodingPass.objects.filter(pk=finished.pk).update(created_at=an_hour_and_more)
    assert services.abandoned_imports_remove() == 1
    assert set(CodingPass.objects.values_list("title", flat=True)) == {"now", "done"}
    assert not CodingEvent.objects.filter(coding_pass_id=stopped.pk).exists()
    assert being_written.pk and "attunement.codings.services.abandoned_imports_remove" in (
        django_settings.WORKER_HOUSEKEEPING
    )


@pytest.mark.django_db(transaction=True)
def test_a_failure_in_the_last_batch_leaves_no_pass_and_no_events(world, client, monkeypatch):
    monkeypatch.setattr(services, "EVENTS_PER_TRANSACTION", 100)

    def audit_fails(**kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(services, "audit_record", audit_fails)
    session = a_session(world)
    with pytest.raises(RuntimeError):
        services.coding_pass_import(actor=world.practitioner, session=session, data=a_csv(450), filename="big.csv")
    assert not CodingPass.objects.exists()
    assert not CodingEvent.objects.exists()
    assert not AuditEntry.objects.filter(action="coding_pass.created").exists()


@only_on_sqlite
@pytest.mark.django_db(transaction=True)
def test_others_can_save_while_a_coding_is_written_out_for_download(world, monkeypatch):
    session = a_session(world)
    imported = services.coding_pass_import(actor=world.practitioner, session=session, data=a_csv(20), filename="a.csv")
    dumps, suffix, content_type = services.EXPORTS["csv"]
    seen = []

    def dumps_while_someone_saves(coding):
        seen.append(save_from_elsewhere())
        return dumps(coding)

    monkeypatch.setitem(services.EXPORTS, "csv", (dumps_while_someone_saves, suffix, content_type))
    exported = services.coding_pass_export(actor=world.practitioner, coding_pass=imported.coding_pass, format="csv")
    assert seen == ["saved"] and "moment 19" in exported.content
    assert AuditEntry.objects.filter(action="coding_pass.exported_csv").count() == 1

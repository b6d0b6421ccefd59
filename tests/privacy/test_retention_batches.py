import sqlite3

import pytest
from django.conf import settings
from django.db import connection
from django.db.models.signals import pre_delete

from attunement.practice.models import Session
from attunement.practice.services import session_record
from attunement.privacy.models import RetentionRun
from attunement.records import services
from attunement.records.services import retention_apply

from ..conftest import details
from .test_retention import leaves, years_on


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3", reason="reads the file directly"
)
@pytest.mark.django_db(transaction=True)
def test_the_retention_run_deletes_in_short_transactions_that_others_see_at_once(world, monkeypatch):
    """Each batch is committed before the next begins, so the write lock is never held for the whole run."""
    for n in range(3):
        session_record(actor=world.coordinator, learner=world.unassigned, details=details(what_happened=f"Hums {n}"))
    leaves(world.unassigned)
    monkeypatch.setattr(services, "RETENTION_BATCH", 1)
    left_as_others_saw_it = []

    def as_seen_from_another_connection(sender, instance, **kwargs):
        other = sqlite3.connect(connection.settings_dict["NAME"], timeout=5)
        try:
            count = other.execute("SELECT COUNT(*) FROM practice_session WHERE learner_id = ?", (world.unassigned.pk,))
            left_as_others_saw_it.append(count.fetchone()[0])
        finally:
            other.close()

    pre_delete.connect(as_seen_from_another_connection, sender=Session)
    try:
        retention_apply(today=years_on(6), dry_run=False)
    finally:
        pre_delete.disconnect(as_seen_from_another_connection, sender=Session)
    assert left_as_others_saw_it == [3, 2, 1]
    assert not Session.objects.filter(learner=world.unassigned).exists()
    assert RetentionRun.objects.get(organisation=world.school, applied=True).counts["sessions"] == 3


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3", reason="reads the file directly"
)
@pytest.mark.django_db(transaction=True)
def test_erasure_deletes_a_persons_many_coding_events_in_short_transactions_first(world, monkeypatch):
    from attunement.coding.model import DEFAULT_ETHOGRAM, Coding, Event
    from attunement.codings.models import CodingEvent
    from attunement.codings.services import coding_pass_save

    session = session_record(actor=world.coordinator, learner=world.mine, details=details()).session
    events = tuple(Event(float(n), "L-looks", "learner", n + 0.5) for n in range(5))
    coding_pass_save(
        actor=world.practitioner, session=session, coding=Coding(DEFAULT_ETHOGRAM, events), source="entered", title="A"
    )
    monkeypatch.setattr(services, "CODING_EVENTS_BATCH", 2)
    seen = []

    def as_seen_from_another_connection(sender, instance, **kwargs):
        other = sqlite3.connect(connection.settings_dict["NAME"], timeout=5)
        try:
            seen.append(other.execute("SELECT COUNT(*) FROM reflection_codingevent").fetchone()[0])
        finally:
            other.close()

    pre_delete.connect(as_seen_from_another_connection, sender=CodingEvent)
    try:
        services.learner_erase(actor=world.coordinator, learner=world.mine, typed_name="Mina Test")
    finally:
        pre_delete.disconnect(as_seen_from_another_connection, sender=CodingEvent)
    assert seen == [5, 5, 3, 3, 1]
    assert not CodingEvent.objects.exists() and not Session.objects.filter(pk=session.pk).exists()

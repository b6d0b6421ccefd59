"""The migration that stores each behaviour's key and "real first" flag fills them for records saved before it,
by the same rule the pages used to work out from the whole history."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from attunement.practice import novelty

BEFORE = [("practice", "0010_default_fundamentals")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_behaviours_get_their_keys_and_firsts(world):
    old = _migrate(BEFORE)
    Session = old.get_model("practice", "Session")
    ObservedBehaviour = old.get_model("practice", "ObservedBehaviour")
    now = timezone.now()
    written = [  # (days ago, person, withdrawn, behaviours) as saved before the form checked the history
        (40, world.mine, False, [("Reached for my hand", "new")]),
        (30, world.mine, True, [("Copied my hum", "new")]),  # withdrawn: hands the first to the next
        (20, world.mine, False, [("reached for the hands.", "new"), ("Copied my hum", "new")]),
        (10, world.mine, False, [("Copied my hum", "new"), ("Leaned in close", "typical")]),
        (15, world.unassigned, False, [("Reached for my hand", "new")]),  # another person: their own first
    ]
    for days, person, withdrawn, behaviours in written:
        session = Session.objects.create(
            learner_id=person.pk,
            started_at=now - timedelta(days=days),
            minutes=10,
            has_new_behaviour=True,
            withdrawn_at=now if withdrawn else None,
        )
        for text, kind in behaviours:
            ObservedBehaviour.objects.create(session=session, description=text, novelty=kind)

    new = _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    ObservedBehaviour = new.get_model("practice", "ObservedBehaviour")
    Session = new.get_model("practice", "Session")
    people = [world.mine.pk, world.unassigned.pk]
    expected = novelty.first_behaviour_ids_from_history(people)
    firsts = {(b.description, b.session.learner_id) for b in ObservedBehaviour.objects.filter(is_first=True)}
    assert set(ObservedBehaviour.objects.filter(is_first=True).values_list("pk", flat=True)) == expected
    assert firsts == {
        ("Reached for my hand", world.mine.pk),
        ("Copied my hum", world.mine.pk),
        ("Reached for my hand", world.unassigned.pk),
    }
    copied = ObservedBehaviour.objects.get(is_first=True, description="Copied my hum")
    assert copied.session.started_at == now - timedelta(days=20)  # not the withdrawn one, nor the later one
    for behaviour in ObservedBehaviour.objects.all():
        assert behaviour.key == novelty.behaviour_key(behaviour.description)
    current = Session.objects.filter(withdrawn_at__isnull=True)
    assert sorted(current.filter(has_new_behaviour=True).values_list("started_at", flat=True)) == sorted(
        now - timedelta(days=d) for d in (40, 20, 15)
    )

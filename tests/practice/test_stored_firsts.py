"""The stored "never seen before" facts (each behaviour's key and is-first flag, each session's flag) stay equal to
what the person's whole history says, whatever sequence of saves, corrections, moves, withdrawals and restores
made them. The whole-history computation (novelty.first_behaviour_ids_from_history) is the oracle."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attunement.practice import novelty
from attunement.practice.models import ObservedBehaviour, Session
from attunement.practice.services import record_restore, session_correct, session_record, session_withdraw

from ..conftest import details

# Written differently on purpose: the same behaviour in other words ("hands", "the"), a slip, and another one.
TEXTS = ["Reached for my hand", "reached for the hands.", "Copied my hum", "Copied my hum!", "Leaned in close"]
BEHAVIOURS = st.lists(
    st.tuples(st.sampled_from(TEXTS), st.sampled_from(["typical", "rare", "new"])), max_size=3, unique_by=lambda b: b[0]
)
SAVE = st.tuples(st.just("save"), st.booleans(), st.integers(1, 60), BEHAVIOURS)
CORRECT = st.tuples(st.just("correct"), st.integers(0, 20), st.integers(1, 60), BEHAVIOURS, st.booleans())
WITHDRAW = st.tuples(st.just("withdraw"), st.integers(0, 20))
RESTORE = st.tuples(st.just("restore"), st.integers(0, 20))
STEPS = st.lists(st.one_of(SAVE, SAVE, CORRECT, WITHDRAW, RESTORE), min_size=1, max_size=12)


def _assert_stored_equals_history(people) -> None:
    ids = [person.pk for person in people]
    from_history = novelty.first_behaviour_ids_from_history(ids)
    assert novelty.first_behaviour_ids(ids) == from_history
    flagged = set(ObservedBehaviour.objects.filter(is_first=True).values_list("pk", flat=True))
    assert flagged == from_history  # withdrawn sessions hold no flagged first either
    for behaviour in ObservedBehaviour.objects.all():
        assert behaviour.key == novelty.behaviour_key(behaviour.description)
    holding = set(ObservedBehaviour.objects.filter(pk__in=from_history).values_list("session_id", flat=True))
    assert set(Session.objects.filter(learner__in=people, has_new_behaviour=True).values_list("pk", flat=True)) == (
        holding
    )


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_stored_firsts_equal_the_whole_history_after_any_changes(world, steps):
    people = [world.mine, world.unassigned]
    actor = world.coordinator
    now = timezone.now()
    with transaction.atomic():
        saved: list[Session] = []
        for step in steps:
            kind = step[0]
            if kind == "save":
                _, other_person, days, behaviours = step
                saved.append(
                    session_record(
                        actor=actor,
                        learner=people[other_person],
                        details=details(started_at=now - timedelta(days=days), behaviours=behaviours),
                    ).session
                )
                continue
            if not saved:
                continue
            session = Session.every_record.get(pk=saved[step[1] % len(saved)].pk)
            if kind == "correct":
                _, _, days, behaviours, move = step
                if session.is_withdrawn:
                    continue
                target = people[1 - people.index(session.learner)] if move else session.learner
                session_correct(
                    actor=actor,
                    session=session,
                    learner=target,
                    details=details(started_at=now - timedelta(days=days), behaviours=behaviours),
                    reason="Logged wrongly",
                )
            elif kind == "withdraw" and not session.is_withdrawn:
                session_withdraw(actor=actor, session=session, reason="Logged for the wrong day")
            elif kind == "restore" and session.is_withdrawn:
                record_restore(actor=actor, record=session, reason="Withdrawn by mistake")
            _assert_stored_equals_history(people)
        _assert_stored_equals_history(people)
        transaction.set_rollback(True)


def _two_firsts_written_without_keys(world):
    """Two sessions, each with a behaviour marked new (the same one in other words), written straight into the
    table as the benchmark's generator or an import does: no key, no flags. Returns (earlier, later)."""
    earlier, later = (
        Session.objects.create(
            learner=world.mine,
            recorded_by=world.practitioner.user,
            started_at=timezone.now() - timedelta(days=d),
            minutes=9,
        )
        for d in (9, 2)
    )
    ObservedBehaviour.objects.bulk_create(
        [
            ObservedBehaviour(session=later, description="Reached for my hand", novelty="new"),
            ObservedBehaviour(session=earlier, description="reached for the hands", novelty="new"),
        ]
    )
    ObservedBehaviour.objects.update(key=None)
    return earlier, later


@pytest.mark.django_db
def test_behaviours_written_without_their_facts_get_them_at_the_next_refresh(world):
    """Rows written straight into the table (the benchmark's generator, an import) are put right by the refresh."""
    earlier, later = _two_firsts_written_without_keys(world)
    assert novelty.first_behaviour_ids([world.mine.pk]) == set()  # nothing stored yet
    novelty.refresh_first_flags([world.mine.pk])
    first = ObservedBehaviour.objects.get(session=earlier)
    assert novelty.first_behaviour_ids([world.mine.pk]) == {first.pk}
    assert first.key == novelty.behaviour_key("Reached for my hand")
    later.refresh_from_db()
    earlier.refresh_from_db()
    assert earlier.has_new_behaviour and not later.has_new_behaviour


@pytest.mark.django_db
def test_the_quick_log_history_grouped_in_the_database_says_what_the_whole_history_says(world):
    """The quick log's hints and its check on saving, read as one row per behaviour, agree with the history read
    row by row (History over every description), withdrawn sessions left out."""
    now = timezone.now()
    written = [
        (30, ["Reached for my hand", "Copied my hum"]),
        (20, ["reached for the hands.", "Leaned in close"]),
        (10, ["Copied my hum!", "Vocalised to get my attention"]),
    ]
    for days, texts in written:
        session_record(
            actor=world.practitioner,
            learner=world.mine,
            details=details(started_at=now - timedelta(days=days), behaviours=[(t, "typical") for t in texts]),
        )
    gone = session_record(
        actor=world.practitioner,
        learner=world.mine,
        details=details(started_at=now - timedelta(days=40), behaviours=[("Leaned in close", "new")]),
    ).session
    session_withdraw(actor=world.coordinator, session=gone, reason="Logged for the wrong child")

    every_row = novelty.History(
        ObservedBehaviour.objects.filter(session__learner=world.mine, session__withdrawn_at__isnull=True).values_list(
            "description", "session__started_at"
        )
    )
    grouped = novelty.history_of(world.mine)
    assert grouped.hints() == every_row.hints()
    for text in ["reached for my hand!", "Leaned in close", "vocalized to get attention", "Something else", "Copied"]:
        assert grouped.seen_before(text) == every_row.seen_before(text), text
    assert grouped.seen_before("Reached for the hand").as_recorded == "Reached for my hand"


@pytest.mark.django_db
def test_a_save_after_rows_written_without_their_facts_puts_every_behaviour_right(world):
    """Saving a session works out only the records of its own behaviours; rows written straight into the table
    (no key yet) are found in the same read, and then every behaviour of the person is worked out again."""
    earlier, later = _two_firsts_written_without_keys(world)
    session_record(
        actor=world.coordinator,
        learner=world.mine,
        details=details(started_at=timezone.now() - timedelta(days=1), behaviours=[("Leaned in close", "new")]),
    )
    _assert_stored_equals_history([world.mine])


@pytest.mark.django_db
def test_a_save_reads_only_the_records_of_its_own_behaviours(world, django_assert_max_num_queries):
    """The refresh after a save is one read of the records of the saved behaviours and at most three writes,
    however long the person's history."""
    for days in range(40, 0, -1):
        session_record(
            actor=world.coordinator,
            learner=world.mine,
            details=details(
                started_at=timezone.now() - timedelta(days=days), behaviours=[(f"Behaviour number {days}", "new")]
            ),
        )
    saved = session_record(
        actor=world.coordinator,
        learner=world.mine,
        details=details(started_at=timezone.now() - timedelta(days=50), behaviours=[("behaviour number 7", "new")]),
    ).session
    with django_assert_max_num_queries(4):
        novelty.refresh_first_flags([world.mine.pk], keys={novelty.behaviour_key("Behaviour number 7")})
    _assert_stored_equals_history([world.mine])
    saved.refresh_from_db()
    assert saved.has_new_behaviour

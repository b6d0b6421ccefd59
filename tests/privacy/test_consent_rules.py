"""The consent rules over any dates at all."""

from dataclasses import dataclass
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from attunement.privacy.consent_rules import (
    ALLOWING,
    REVIEW_GRACE_DAYS,
    Status,
    allows,
    governing,
    own_status,
    status_of,
)


@dataclass(eq=False)
class Record:
    pk: int
    starts_on: date
    review_on: date
    withdrawn_on: date | None = None


days = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))


@st.composite
def records(draw, pk=1):
    starts = draw(days)
    review = starts + timedelta(days=draw(st.integers(1, 5 * 366)))
    withdrawn = draw(st.none() | st.builds(lambda n: starts + timedelta(days=n), st.integers(-30, 8 * 366)))
    return Record(pk=pk, starts_on=starts, review_on=review, withdrawn_on=withdrawn)


@given(records(), days)
def test_one_consent_allows_exactly_from_its_start_until_withdrawn_or_expired(record, on):
    expected = (
        record.starts_on <= on
        and (record.withdrawn_on is None or on < record.withdrawn_on)
        and on <= record.review_on + timedelta(days=REVIEW_GRACE_DAYS)
    )
    assert allows([record], on) is expected


@given(records(), days)
def test_a_passed_review_date_means_review_due_then_expired_never_current(record, on):
    status = own_status(record, on)
    if status == Status.REVIEW_DUE:
        assert record.review_on <= on <= record.review_on + timedelta(days=REVIEW_GRACE_DAYS)
    if status == Status.CURRENT:
        assert record.starts_on <= on < record.review_on
    if status == Status.EXPIRED:
        assert on > record.review_on + timedelta(days=REVIEW_GRACE_DAYS)


@given(records(), days)
def test_nothing_is_allowed_before_the_start_or_on_and_after_withdrawal(record, on):
    if on < record.starts_on or (record.withdrawn_on is not None and on >= record.withdrawn_on):
        assert not allows([record], on)


@given(st.lists(records(), min_size=1, max_size=5), days)
def test_the_latest_started_consent_decides_and_every_other_started_one_is_replaced(drawn, on):
    for pk, record in enumerate(drawn, start=1):
        record.pk = pk
    winner = governing(drawn, on)
    started = [r for r in drawn if r.starts_on <= on]
    if not started:
        assert winner is None and not allows(drawn, on)
        return
    assert winner.starts_on == max(r.starts_on for r in started)
    assert allows(drawn, on) is (own_status(winner, on) in ALLOWING)
    for record in started:
        status = status_of(record, drawn, on)
        if record is winner:
            assert status == own_status(record, on)
        else:
            assert status in (Status.REPLACED, Status.WITHDRAWN)

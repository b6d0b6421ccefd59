"""The consent rules as plain functions of dates, so they can be tested over any dates at all.

The rules:
- For each purpose, the consent that counts on a day is the latest one (by start date, then by when it
  was recorded) that has started on or before that day. A newer consent replaces an older one.
- It allows the purpose on that day unless it was withdrawn on or before that day.
- From its review date it is still valid but marked "review due", for a grace period of REVIEW_GRACE_DAYS.
  After that it has expired and no longer allows anything until a new consent is recorded.

`consent_sql.consent_in_force` is `allows` as a database condition, for lists and counts; this module is the
specification it is tested against.
"""

from collections.abc import Iterable
from datetime import date, timedelta
from enum import StrEnum
from typing import Protocol

REVIEW_GRACE_DAYS = 90


class Status(StrEnum):
    CURRENT = "current"
    REVIEW_DUE = "review_due"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    NOT_STARTED = "not_started"
    REPLACED = "replaced"


STATUS_LABELS = {
    Status.CURRENT: "Current",
    Status.REVIEW_DUE: "Review due",
    Status.EXPIRED: "Expired",
    Status.WITHDRAWN: "Withdrawn",
    Status.NOT_STARTED: "Not started yet",
    Status.REPLACED: "Replaced by a later consent",
}

ALLOWING = frozenset({Status.CURRENT, Status.REVIEW_DUE})


class ConsentDates(Protocol):
    pk: int | None
    starts_on: date
    review_on: date
    withdrawn_on: date | None


def expires_on(record: ConsentDates) -> date:
    """The first day the consent no longer counts because its review is too long overdue."""
    return record.review_on + timedelta(days=REVIEW_GRACE_DAYS + 1)


def own_status(record: ConsentDates, on: date) -> Status:
    """The status of one consent on a day, ignoring any other consent for the same purpose."""
    if on < record.starts_on:
        return Status.NOT_STARTED
    if record.withdrawn_on is not None and record.withdrawn_on <= on:
        return Status.WITHDRAWN
    if on >= expires_on(record):
        return Status.EXPIRED
    if on >= record.review_on:
        return Status.REVIEW_DUE
    return Status.CURRENT


def _order(record: ConsentDates):
    return (record.starts_on, record.pk or 0)


def governing(records: Iterable[ConsentDates], on: date) -> ConsentDates | None:
    """The consent that counts on `on` among records for one purpose, or None if none has started."""
    started = [record for record in records if record.starts_on <= on]
    return max(started, key=_order, default=None)


def status_of(record: ConsentDates, records: Iterable[ConsentDates], on: date) -> Status:
    """The status of `record` on `on`, given every record for the same person and purpose."""
    own = own_status(record, on)
    if own in (Status.NOT_STARTED, Status.WITHDRAWN):
        return own
    winner = governing(records, on)
    if winner is not None and winner is not record and _order(winner) > _order(record):
        return Status.REPLACED
    return own


def allows(records: Iterable[ConsentDates], on: date) -> bool:
    winner = governing(records, on)
    return winner is not None and own_status(winner, on) in ALLOWING

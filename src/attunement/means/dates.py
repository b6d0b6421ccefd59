"""Date arithmetic for refreshers, months and quarters. Pure: no Django."""

import calendar
from datetime import date, timedelta


def add_months(day: date, months: int) -> date:
    """The same day `months` later; a day the target month lacks becomes its last day (31 Jan + 1 → 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def refresher_due(completed_on: date, refresh_months: int | None) -> date | None:
    """When a course done on `completed_on` must be done again, or None if once is enough."""
    if not refresh_months:
        return None
    return add_months(completed_on, refresh_months)


def month_start(day: date) -> date:
    return day.replace(day=1)


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_end(day: date) -> date:
    """The last day of the quarter `day` is in."""
    return add_months(quarter_start(day), 3) - timedelta(days=1)


def quarter_label(day: date) -> str:
    start = quarter_start(day)
    end = add_months(start, 2)
    return f"{start:%b}–{end:%b} {start.year}"


def quarters_between(since: date, until: date) -> list[date]:
    """The first day of every quarter from the one holding `since` to the one holding `until`."""
    starts, current = [], quarter_start(since)
    while current <= until:
        starts.append(current)
        current = add_months(current, 3)
    return starts

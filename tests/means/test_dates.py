"""The refresher and quarter arithmetic, over random dates and intervals."""

import calendar
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from attunement.means.dates import (
    add_months,
    quarter_end,
    quarter_label,
    quarter_start,
    quarters_between,
    refresher_due,
)

days = st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 31))
intervals = st.integers(min_value=1, max_value=120)


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


@given(days, intervals)
def test_a_refresher_falls_exactly_that_many_months_later(done, months):
    due = refresher_due(done, months)
    assert month_index(due) - month_index(done) == months
    assert due > done
    last_day = calendar.monthrange(due.year, due.month)[1]
    # The same day of the month, or the month's last day when it has no such day.
    assert due.day == min(done.day, last_day)


@given(days)
def test_a_course_without_a_refresh_period_is_never_due_again(done):
    assert refresher_due(done, None) is None
    assert refresher_due(done, 0) is None


@given(days, intervals, intervals)
def test_longer_intervals_never_fall_earlier(done, a, b):
    shorter, longer = sorted((a, b))
    assert refresher_due(done, shorter) <= refresher_due(done, longer)


@given(days, st.integers(min_value=-240, max_value=240))
def test_adding_months_then_taking_them_away_comes_back_unless_the_day_was_clipped(day, months):
    there = add_months(day, months)
    if there.day == day.day:
        assert add_months(there, -months) == day


def test_the_awkward_days():
    assert refresher_due(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert refresher_due(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert refresher_due(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert refresher_due(date(2024, 12, 15), 12) == date(2025, 12, 15)
    assert refresher_due(date(2024, 11, 30), 3) == date(2025, 2, 28)


@given(days)
def test_every_day_lies_in_its_quarter(day):
    start, end = quarter_start(day), quarter_end(day)
    assert start <= day <= end
    assert start.day == 1 and start.month in (1, 4, 7, 10)
    assert (end + timedelta(days=1)) == add_months(start, 3)
    assert quarter_label(day).endswith(str(day.year))


@given(days, days)
def test_quarters_between_cover_the_period_without_gaps(a, b):
    since, until = sorted((a, b))
    starts = quarters_between(since, until)
    assert starts[0] == quarter_start(since) and starts[-1] == quarter_start(until)
    assert all(add_months(x, 3) == y for x, y in zip(starts, starts[1:], strict=False))

"""The period a report covers: chosen by the reader, a year up to today by default."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_date


@dataclass(frozen=True)
class Period:
    since: date
    until: date

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.since, time.min))

    @property
    def end(self) -> datetime:
        """The first moment after the period (the period includes the whole of `until`)."""
        return timezone.make_aware(datetime.combine(self.until + timedelta(days=1), time.min))

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1


def default_period(today: date | None = None) -> Period:
    today = today or timezone.localdate()
    return Period(since=today - timedelta(days=364), until=today)


def period_from(params, today: date | None = None) -> tuple[Period, str]:
    """The period named by `since` and `until` in the query, or the last year; and a message if the dates
    given could not be used (in which case the last year is used)."""
    today = today or timezone.localdate()
    default = default_period(today)
    raw_since, raw_until = params.get("since", ""), params.get("until", "")
    if not raw_since and not raw_until:
        return default, ""
    try:
        since = parse_date(raw_since) if raw_since else default.since
        until = parse_date(raw_until) if raw_until else today
    except ValueError:
        since = until = None
    if since is None or until is None:
        return default, "Those dates could not be read, so the last year is shown."
    if since > until:
        return default, "The start date is after the end date, so the last year is shown."
    if until > today:
        until = today
    if (until - since).days > 366 * 5:
        return default, "Please choose at most five years; the last year is shown."
    return Period(since=since, until=until), ""

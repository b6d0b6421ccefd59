"""The anonymised organisation summary: counts and averages only, never a name, a date of birth or a note."""

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from attunement.learners.models import Learner
from attunement.organisations.models import Organisation
from attunement.practice.models import ReviewRating
from attunement.practice.selectors import current_scale, rated_items, week_start
from attunement.privacy.selectors import learners_consenting

from .suppression import THRESHOLD, mean_if_enough, shown, suppress_row

WEEKS = 12


def counted_people(organisation: Organisation, today: date):
    """The people anonymised figures may count: still supported, and agreed to use in anonymised reports."""
    supported = Learner.objects.filter(organisation=organisation, is_active=True)
    return supported.filter(pk__in=learners_consenting(supported.values("pk"), "reports", on=today))


def organisation_summary(*, organisation: Organisation, today: date | None = None, period=None) -> dict:
    """Anonymised figures for the last WEEKS whole weeks, or for `period` if given."""
    today = today or timezone.localdate()
    if period is None:
        since = week_start(today) - timedelta(weeks=WEEKS)
        until = week_start(today)  # whole weeks only
    else:
        since, until = period.since, period.until + timedelta(days=1)
    weeks = max((until - since).days / 7, 1)
    start = timezone.make_aware(datetime.combine(since, time.min))
    end = timezone.make_aware(datetime.combine(until, time.min))
    people = counted_people(organisation, today)
    n_people = people.count()
    per_person = people.annotate(
        sessions_n=Count("sessions", filter=Q(sessions__started_at__gte=start, sessions__started_at__lt=end)),
        new_n=Count(
            "sessions",
            filter=Q(sessions__started_at__gte=start, sessions__started_at__lt=end, sessions__has_new_behaviour=True),
        ),
    ).values_list("sessions_n", "new_n", "weekly_session_target")
    totals = list(per_person)
    sessions_total = sum(n for n, _, _ in totals)
    target_default = organisation.weekly_session_target
    meeting = sum(1 for n, _, target in totals if n >= weeks * (target if target is not None else target_default))
    with_new = sum(1 for _, new, _ in totals if new > 0)
    return {
        "threshold": THRESHOLD,
        "weeks": round(weeks),
        "period": (since, until - timedelta(days=1)),
        "people": shown(n_people),
        "enough_people": n_people >= THRESHOLD,
        "sessions_total": sessions_total if n_people >= THRESHOLD else None,
        "sessions_per_person_week": mean_if_enough(sessions_total / weeks, n_people),
        "target_rows": suppress_row({"met": meeting, "not_met": n_people - meeting}, total_shown=True)
        if n_people >= THRESHOLD
        else None,
        "with_new": shown(with_new) if n_people >= THRESHOLD else None,
        "levels": _latest_levels(organisation, people) if n_people >= THRESHOLD else None,
    }


def _latest_levels(organisation: Organisation, people) -> dict | None:
    """How many people are at each level of each item at their latest review on the organisation's scale."""
    scale = current_scale(organisation)
    if scale is None:
        return None
    levels = list(scale.levels.all())
    latest: dict[tuple[int, str], int] = {}
    ratings = (
        ReviewRating.objects.filter(review__learner__in=people, review__scale=scale)
        .order_by("review__learner_id", "review__reviewed_on", "review__pk")
        .values_list("review__learner_id", "fundamental_id", "area", "level_id")
    )
    for learner_id, fundamental_id, area, level_id in ratings:
        latest[(learner_id, f"fundamental:{fundamental_id}" if fundamental_id else f"area:{area}")] = level_id
    rows = []
    for item in rated_items(scale=scale, organisation=organisation):
        counts = {str(level.pk): 0 for level in levels}
        for (_, key), level_id in latest.items():
            if key == item["key"]:
                counts[str(level_id)] += 1
        rated = sum(counts.values())
        rows.append(
            {
                "name": item["name"],
                "rated": shown(rated),
                "cells": list(suppress_row(counts, total_shown=True).values())
                if rated >= THRESHOLD
                else [None] * len(levels),
            }
        )
    return {"scale": scale, "levels": levels, "rows": rows}

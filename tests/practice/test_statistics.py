"""Property tests for the figures the charts show."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attunement.practice import charts, selectors
from attunement.practice.models import Session

TODAY = date(2026, 11, 18)  # a Wednesday


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    days_ago=st.lists(st.integers(min_value=0, max_value=200), max_size=40),
    hours=st.integers(min_value=0, max_value=23),
    weeks=st.integers(min_value=1, max_value=26),
)
def test_weekly_counts_put_every_session_in_its_own_monday_week(world, days_ago, hours, weeks):
    Session.objects.all().delete()
    when = [
        timezone.make_aware(datetime.combine(TODAY - timedelta(days=d), datetime.min.time()) + timedelta(hours=hours))
        for d in days_ago
    ]
    Session.objects.bulk_create(Session(learner=world.mine, started_at=w, minutes=10) for w in when)
    counts = selectors.weekly_session_counts(learner=world.mine, weeks=weeks, today=TODAY)

    assert len(counts) == weeks
    assert all(row["week"].weekday() == 0 for row in counts)
    assert [row["week"] for row in counts] == sorted(row["week"] for row in counts)
    first_monday = counts[0]["week"]
    in_window = [d for d in days_ago if TODAY - timedelta(days=d) >= first_monday]
    assert sum(row["count"] for row in counts) == len(in_window)
    for row in counts:
        expected = sum(1 for d in in_window if row["week"] <= TODAY - timedelta(days=d) < row["week"] + timedelta(7))
        assert row["count"] == expected
        assert row["met"] == (row["count"] >= row["target"])


@given(
    counts=st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=52),
    target=st.integers(min_value=0, max_value=20),
)
def test_weekly_bars_stay_inside_the_chart_and_are_in_proportion(counts, target):
    weeks = [
        {"week": date(2026, 1, 5) + timedelta(weeks=i), "count": c, "target": target, "met": c >= target}
        for i, c in enumerate(counts)
    ]
    chart = charts.weekly_bars(weeks)
    for bar, count in zip(chart["bars"], counts, strict=True):
        assert chart["left"] <= bar.x and bar.x + bar.width <= chart["right"] + 0.5
        assert bar.y >= 0 and abs(bar.y + bar.height - chart["bottom"]) < 0.2
        assert bar.value == count
    tallest = max(chart["bars"], key=lambda b: b.value)
    for bar in chart["bars"]:
        if tallest.value:
            assert abs(bar.height / (chart["bottom"] - charts.TOP) - bar.value / max(tallest.value, target)) < 0.01
    assert charts.TOP - 0.1 <= chart["target_y"] <= chart["bottom"] + 0.1


@given(positions=st.lists(st.integers(min_value=0, max_value=3), max_size=12))
def test_level_lines_rise_as_the_level_rises(positions):
    points = [
        {"date": date(2026, 1, 1) + timedelta(days=90 * i), "position": p, "label": str(p)}
        for i, p in enumerate(positions)
    ]
    chart = charts.level_steps(points, ["a", "b", "c", "d"])
    ys = [p["y"] for p in chart["points"]]
    for (p1, y1), (p2, y2) in zip(
        zip(positions, ys, strict=True), zip(positions[1:], ys[1:], strict=True), strict=False
    ):
        assert (p2 > p1) == (y2 < y1)
    xs = [p["x"] for p in chart["points"]]
    assert xs == sorted(xs)

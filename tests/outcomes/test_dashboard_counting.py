"""The dashboard's figures, counted by the database in one pass over the period's sessions (months and weeks
together) and its alerts counted with their first ten, say exactly what counting every record by hand says:
for any sessions (withdrawn, late at night, across the clocks changing, of people no longer supported or of
another organisation), any targets and any period."""

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from attunement.learners.models import CommunicationProfile, Learner
from attunement.outcomes import dashboard as board
from attunement.outcomes.periods import Period
from attunement.practice.models import Session
from attunement.privacy.models import Consent
from attunement.privacy.selectors import consent_count

# Days around both changes of the clocks in 2026 (29 March and 25 October) and the turn of a month.
DAYS = [date(2026, 3, 23) + timedelta(days=n) for n in range(0, 21)] + [
    date(2026, 10, 19) + timedelta(days=n) for n in range(0, 21)
]
TIMES = [time(0, 0), time(0, 30), time(1, 30), time(10, 0), time(23, 30), time(23, 59)]

a_session = st.tuples(
    st.integers(0, 2),  # whose: Mina, Una (in the organisation), Faro (another organisation's)
    st.sampled_from(DAYS),
    st.sampled_from(TIMES),
    st.integers(1, 60),  # minutes
    st.sampled_from([None, 1, 2, 3]),  # enjoyment
    st.booleans(),  # something seen for the first time
    st.booleans(),  # withdrawn
)


def by_hand(people, targets, sessions, period: Period) -> dict:
    """The months and weeks of `board.ends`, counted from the records one by one."""
    counted = [s for s in sessions if s["learner"] in people and not s["withdrawn"]]
    counted = [s for s in counted if period.since <= s["day"] <= period.until]
    months = []
    first = period.since.replace(day=1)
    while first <= period.until:
        mine = [s for s in counted if (s["day"].year, s["day"].month) == (first.year, first.month)]
        if mine:
            rated = [s for s in mine if s["enjoyment"] and s["enjoyment"] > 0]
            months.append(
                {
                    "month": first,
                    "sessions": len(mine),
                    "average_minutes": round(sum(s["minutes"] for s in mine) / len(mine), 1),
                    "enjoyed_a_lot": round(100 * sum(1 for s in rated if s["enjoyment"] == 3) / len(rated))
                    if rated
                    else None,
                    "firsts": sum(1 for s in mine if s["firsts"]),
                }
            )
        first = (first + timedelta(days=32)).replace(day=1)
    target = sum(targets[p] for p in people)
    weeks = []
    monday = period.since + timedelta(days=(7 - period.since.weekday()) % 7)
    while monday + timedelta(days=6) <= period.until:
        in_week = [s for s in counted if monday <= s["day"] <= monday + timedelta(days=6)]
        each = defaultdict(int)
        for s in in_week:
            each[s["learner"]] += 1
        weeks.append(
            {
                "week": monday,
                "count": len(in_week),
                "target": target,
                "met": len(in_week) >= target,
                "people_met": sum(1 for p in people if targets[p] > 0 and each[p] >= targets[p]),
            }
        )
        monday += timedelta(weeks=1)
    return {"months": months, "weeks": weeks if people else [], "sessions": sum(m["sessions"] for m in months)}


@pytest.mark.django_db
@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    sessions=st.lists(a_session, max_size=25),
    targets=st.tuples(st.sampled_from([None, 0, 1, 2]), st.sampled_from([None, 0, 1, 2])),
    una_supported=st.booleans(),
    since=st.sampled_from(DAYS[:10] + DAYS[21:31]),
    days=st.integers(0, 40),
)
def test_the_months_and_weeks_are_what_counting_each_session_says(world, sessions, targets, una_supported, since, days):
    Session.every_record.all().delete()
    world.school.weekly_session_target = 1
    world.school.save()
    learners = [world.mine, world.unassigned, world.foreign]
    for learner, target in zip(learners[:2], targets, strict=True):
        learner.weekly_session_target = target
    world.unassigned.is_active = una_supported
    for learner in learners[:2]:
        learner.save()
    records = []
    for whose, day, at, minutes, enjoyment, firsts, withdrawn in sessions:
        Session.objects.create(
            learner=learners[whose],
            started_at=timezone.make_aware(datetime.combine(day, at)),
            minutes=minutes,
            enjoyment=enjoyment,
            has_new_behaviour=firsts,
            withdrawn_at=timezone.now() if withdrawn else None,
        )
        records.append(
            {
                "learner": learners[whose].pk,
                "day": day,
                "minutes": minutes,
                "enjoyment": enjoyment,
                "firsts": firsts,
                "withdrawn": withdrawn,
            }
        )
    people = [world.mine.pk] + ([world.unassigned.pk] if una_supported else [])
    own_targets = {learner.pk: (t if t is not None else 1) for learner, t in zip(learners[:2], targets, strict=True)}
    period = Period(since=since, until=since + timedelta(days=days))

    figures = board.ends(actor=world.coordinator, scope=board.Scope(), period=period)
    truth = by_hand(people, own_targets, records, period)
    assert figures["months"] == truth["months"]
    assert figures["weeks"] == truth["weeks"]
    assert figures["sessions"] == truth["sessions"] and figures["people"] == len(people)


def a_person(organisation, first_name, **fields):
    learner = Learner.objects.create(organisation=organisation, first_name=first_name, last_name="Test", **fields)
    CommunicationProfile.objects.create(learner=learner)
    return learner


@pytest.mark.django_db
def test_each_alert_s_count_and_first_ten_are_those_of_its_whole_list(world):
    """The dashboard takes an alert's count (and a consent alert's number of consents) from the same query as
    its first ten; they are those of the alert's own list, for many random sets of people and consents."""
    rng = random.Random(7)
    today = timezone.localdate()
    people = [
        a_person(world.school, f"Person{n:02d}", weekly_session_target=rng.choice([None, 0, 2])) for n in range(14)
    ]
    purposes = ["video", "reports", "family", "training", "research"]
    scope = board.Scope()
    for _ in range(12):
        Consent.objects.filter(learner__in=people).delete()
        for learner in people:
            learner.is_active = rng.random() > 0.1
            learner.save()
            for _ in range(rng.randint(0, 3)):
                start = today - timedelta(days=rng.randint(-20, 700))
                Consent.objects.create(
                    learner=learner,
                    purpose=rng.choice(purposes),
                    given_by="parent",
                    starts_on=start,
                    review_on=start + timedelta(days=rng.randint(1, 500)),
                    withdrawn_on=today - timedelta(days=rng.randint(0, 30)) if rng.random() < 0.2 else None,
                )
        previews = board.alert_previews(actor=world.coordinator, scope=scope, today=today)
        for slug, alert in board.ALERT_LISTS.items():
            everyone = list(alert.people(world.coordinator, scope, today))
            preview = previews[slug.replace("-", "_")]
            assert preview["count"] == len(everyone), slug
            shown = [row.learner if hasattr(row, "learner") else row for row in preview["rows"]]
            shown = [row["learner"] if isinstance(row, dict) else row for row in shown]
            assert [p.pk for p in shown] == [p.pk for p in everyone[: board.SHOWN_ON_DASHBOARD]], slug
        for slug, status in board._CONSENT_STATUS.items():
            truth = consent_count(actor=world.coordinator, status=status, learners=scope.people(world.coordinator))
            assert previews[slug.replace("-", "_")]["consents"] == truth, slug


# The template loops the chart's bars and the table of weeks replaced, to check the markup written in Python.
BARS_AS_TEMPLATE = (
    '{% for bar in chart.bars %}<rect class="bar{% if bar.met %} met{% endif %}" x="{{ bar.x }}" '
    'y="{{ bar.y }}" width="{{ bar.width }}" height="{{ bar.height }}"><title>Week of {{ bar.label }}: '
    "{{ bar.value }} session{{ bar.value|pluralize }}</title></rect>\n    "
    '{% if forloop.counter0|divisibleby:chart.label_every %}<text x="{% if forloop.revcounter0 < chart.label_every %}'
    '{{ bar.label_end }}" text-anchor="end{% else %}{{ bar.x }}{% endif %}" '
    "y=\"{{ chart.bottom|add:'16' }}\">{{ bar.label }}</text>{% endif %}{% endfor %}"
)
ROWS_AS_TEMPLATE = (
    '{% for w in weeks %}<tr><th scope="row">{{ w.week|date:"j M Y" }}</th><td>{{ w.count }}</td>'
    "<td>{{ w.target }}</td><td>{{ w.people_met }} of {{ people }}</td></tr>{% endfor %}"
)


@hypothesis_settings(max_examples=60, deadline=None)
@given(
    counts=st.lists(st.tuples(st.integers(0, 30_000), st.integers(0, 5_000)), min_size=1, max_size=60),
    target=st.integers(0, 40_000),
    people=st.integers(1, 20_000),
    first=st.dates(min_value=date(2020, 1, 6), max_value=date(2030, 1, 1)),
)
def test_the_chart_s_bars_and_the_table_of_weeks_are_what_the_template_wrote(counts, target, people, first):
    from django.template import Context, Template

    monday = first - timedelta(days=first.weekday())
    weeks = [
        {
            "week": monday + timedelta(weeks=i),
            "count": n,
            "target": target,
            "met": n >= target,
            "people_met": min(met, people),
        }
        for i, (n, met) in enumerate(counts)
    ]
    chart = board._weeks_chart(weeks)
    assert chart["bars_svg"] == Template(BARS_AS_TEMPLATE).render(Context({"chart": chart}))
    assert board._weeks_rows(weeks, people) == Template(ROWS_AS_TEMPLATE).render(
        Context({"weeks": weeks, "people": people})
    )

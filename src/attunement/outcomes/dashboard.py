"""The co-ordinator's and manager's dashboard: the means and the ends side by side, for the organisation,
one site or one group of people, over a chosen period, with the alerts that need someone's attention."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

from django.db.models import Count, F, FilteredRelation, Func, IntegerField, Q, Sum, Value, Window
from django.db.models.functions import Coalesce
from django.utils import formats, numberformat, timezone, translation
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from attunement.learners.models import Learner
from attunement.learners.selectors import learners_visible_to
from attunement.organisations.models import Membership
from attunement.practice.charts import weekly_bars
from attunement.practice.models import FAMILY_FEEDBACK_QUESTIONS
from attunement.practice.selectors import current_scale, week_start
from attunement.privacy.consent_rules import Status
from attunement.privacy.selectors import consent_alerts_of, people_with_consent_alert

from .movement import COMPARED, GROUPS, count_groups
from .periods import Period
from .selectors import (
    family_feedback_in,
    people_with_current_outcomes,
    people_without_review_since,
    rating_positions,
    sessions_in,
    term_starts_of,
    video_figures,
    videos_in,
)


@dataclass(frozen=True)
class Scope:
    """Whose figures: the whole organisation, or one site, one class or group, or the people with one kind of
    need (any of the three together)."""

    site_id: int | None = None
    need: str = ""
    group_id: int | None = None  # a class or group

    def people(self, actor: Membership):
        people = learners_visible_to(actor).filter(is_active=True)
        if self.site_id:
            people = people.filter(site_id=self.site_id)
        if self.group_id:
            people = people.filter(group_id=self.group_id)
        if self.need:
            people = (
                people.filter(needs__contains=[self.need])
                if _json_contains_supported()
                else people.filter(needs__icontains=f'"{self.need}"')
            )
        return people


def _json_contains_supported() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def term_start(day: date, starts: Sequence[date] = ()) -> date:
    """The start of the term containing `day`. `starts` are the organisation's own term start dates, in any
    order: a term runs from one to the next, and the last runs for up to `LAST_TERM_DAYS`. Before the first,
    after that, or with none set, the usual three terms apply: autumn from 1 September, spring from 1 January,
    summer from 1 April (adult services use the same three periods of the year for reviews)."""
    earlier = [start for start in starts if start <= day]
    if earlier:
        latest = max(earlier)
        if (day - latest).days < LAST_TERM_DAYS or any(start > day for start in starts):
            return latest
    if day.month >= 9:
        return date(day.year, 9, 1)
    if day.month >= 4:
        return date(day.year, 4, 1)
    return date(day.year, 1, 1)


# How long the last term an organisation has set runs, when no later start is set.
LAST_TERM_DAYS = 183


def organisation_term_start(organisation_id: int, day: date) -> date:
    """The start of the organisation's term containing `day` (see term_start)."""
    return term_start(day, term_starts_of(organisation_id=organisation_id))


def ends(*, actor: Membership, scope: Scope, period: Period) -> dict:
    """What the practice achieves for the people: sessions, enjoyment, firsts and progress, month by month and
    week by week, and how many of the people have a current plan with outcomes (`plans`). Counted by the database
    in one pass over the period's sessions, one row for each month and week they fall in, however many sessions
    the period holds."""
    people = scope.people(actor)
    everyone = people_with_current_outcomes(people, target=Sum(_TARGET))
    everyone["n"] = everyone["people"]
    month_starts = _month_starts(period)
    mondays = _whole_weeks(period)
    sessions = sessions_in(people, period).order_by()
    if mondays:
        sessions = sessions.annotate(week=Bucket("started_at", _week_edges(mondays)))
    else:
        sessions = sessions.annotate(week=Value(-1, output_field=IntegerField()))
    counted = (
        sessions.annotate(month=Bucket("started_at", [start for _, start in month_starts] + [period.end]))
        .values("month", "week")
        .annotate(
            sessions=Count("pk"),
            minutes=Sum("minutes"),
            rated=Count("pk", filter=Q(enjoyment__gt=0)),
            lots=Count("pk", filter=Q(enjoyment=3)),
            firsts=Count("pk", filter=Q(has_new_behaviour=True)),
        )
    )
    by_month: dict[int, dict] = {}
    held: dict[int, int] = defaultdict(int)
    for row in counted:
        month = by_month.setdefault(row["month"], {"sessions": 0, "minutes": 0, "rated": 0, "lots": 0, "firsts": 0})
        for key in month:
            month[key] += row[key] or 0
        held[row["week"]] += row["sessions"]
    months = [
        {
            "month": month_starts[index][0],
            "sessions": row["sessions"],
            "average_minutes": round(row["minutes"] / row["sessions"], 1) if row["sessions"] else None,
            "enjoyed_a_lot": round(100 * row["lots"] / row["rated"]) if row["rated"] else None,
            "firsts": row["firsts"],
        }
        for index, row in sorted(by_month.items())
        if 0 <= index < len(month_starts)
    ]
    progress = progress_movement(people, period, organisation=actor.organisation, everyone=everyone["n"])
    weeks = weeks_against_target(people, period, everyone=everyone, held=held)
    return {
        "people": everyone["n"],
        "sessions": sum(m["sessions"] for m in months),
        "months": months,
        "progress": progress,
        "progress_chart": progress_bars(progress),
        "weeks": weeks,
        "weeks_chart": _weeks_chart(weeks) if weeks else None,
        "weeks_rows": _weeks_rows(weeks, everyone["n"]),
        "weeks_reached": sum(1 for week in weeks if week["met"]),
        "family": family_feedback(people, period),
        "plans": {"people": everyone["people"], "with_outcomes": everyone["with_outcomes"]},
    }


class Bucket(Func):
    """Which of the periods beginning at `edges` (in order; the last edge ends the last period) a moment falls in:
    0 for the first, -1 before the first edge or from the last. Worked out by the database with plain comparisons,
    so no date function runs for each row; they halve the periods left at each step (a year of weeks takes 6 for
    each row, not up to 52). The comparisons are written out once as SQL, not as a tree of expressions for Django
    to compile (a year of weeks made hundreds of them, compiled again for the grouping)."""

    output_field = IntegerField()

    def __init__(self, field: str, edges: list):
        super().__init__(F(field))
        self.edges = list(edges)

    def as_sql(self, compiler, connection, **extra):
        column, column_params = compiler.compile(self.source_expressions[0])
        edges = [connection.ops.adapt_datetimefield_value(edge) for edge in self.edges]
        last = len(edges) - 1  # from the last edge on: outside

        def among(first: int, final: int) -> tuple[str, list]:
            """The SQL for a moment known to be in one of the periods first..final (-1: before, last: after)."""
            if first == final:
                return str(-1 if first == last else first), []
            middle = (first + final + 1) // 2
            before, before_params = among(first, middle - 1)
            after, after_params = among(middle, final)
            return (
                f"CASE WHEN {column} < %s THEN {before} ELSE {after} END",
                [*column_params, edges[middle], *before_params, *after_params],
            )

        return among(-1, last)


def _week_edges(mondays: list[date]) -> list:
    """The moment each week begins (local time), and the moment the last one ends."""
    return [Period(since=day, until=day).start for day in [*mondays, mondays[-1] + timedelta(weeks=1)]]


def _whole_weeks(period: Period) -> list[date]:
    """The Monday of each whole week (Monday to Sunday) in the period."""
    first = week_start(period.since)
    if first < period.since:
        first += timedelta(weeks=1)
    last = week_start(period.until + timedelta(days=1)) - timedelta(weeks=1)  # the last week ending by `until`
    if last < first:
        return []
    return [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]


def _month_starts(period: Period) -> list[tuple[date, object]]:
    """Each calendar month the period touches: its first day, and the moment counting starts in it (local time)."""
    months, day = [], period.since.replace(day=1)
    while day <= period.until:
        months.append((day, max(Period(since=day, until=day).start, period.start)))
        day = (day + timedelta(days=32)).replace(day=1)
    return months


_TARGET = Coalesce(F("weekly_session_target"), F("organisation__weekly_session_target"))


def _weeks_chart(weeks: list[dict]) -> dict:
    """practice.charts.weekly_bars, each date label ending under its own bar so the last is not cut off, with the
    bars written out as SVG (`bars_svg`): a year of weeks is some 500 values, each cheaper to put in a string here
    than through a template variable."""
    chart = weekly_bars(weeks)
    for bar in chart["bars"]:
        bar.label_end = round(bar.x + bar.width, 1)
    chart["bars_svg"] = _bars_svg(chart)
    return chart


class _Shown:
    """Values as a template shows them: localised (numbers in the current language's format, looked up once
    here rather than for each value) and escaped."""

    def __init__(self):
        language = translation.get_language()
        self.number = partial(
            numberformat.format,
            decimal_sep=formats.get_format("DECIMAL_SEPARATOR", language, use_l10n=True),
            grouping=formats.get_format("NUMBER_GROUPING", language, use_l10n=True),
            thousand_sep=formats.get_format("THOUSAND_SEPARATOR", language, use_l10n=True),
            use_l10n=True,
        )

    def __call__(self, value) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return conditional_escape(self.number(value))
        return conditional_escape(str(formats.localize(value)))


def _bars_svg(chart: dict) -> SafeString:
    """The chart's bars with their titles, and a date label under every `label_every`-th one, as the dashboard's
    template wrote them."""
    every, bars, _shown = chart["label_every"], chart["bars"], _Shown()
    label_y = _shown(chart["bottom"] + 16)
    parts = []
    for i, bar in enumerate(bars):
        parts.append(
            f'<rect class="bar{" met" if bar.met else ""}" x="{_shown(bar.x)}" y="{_shown(bar.y)}" '
            f'width="{_shown(bar.width)}" height="{_shown(bar.height)}"><title>Week of {_shown(bar.label)}: '
            f"{_shown(bar.value)} session{'' if bar.value == 1 else 's'}</title></rect>\n    "
        )
        if i % every == 0:
            x = f'{_shown(bar.label_end)}" text-anchor="end' if len(bars) - 1 - i < every else _shown(bar.x)
            parts.append(f'<text x="{x}" y="{label_y}">{_shown(bar.label)}</text>')
    return mark_safe("".join(parts))  # noqa: S308 (every value in it is escaped by _shown)


def _weeks_rows(weeks: list[dict], people: int) -> SafeString:
    """The rows of the table of weeks (week, sessions, targets, people who reached their own target)."""
    _shown = _Shown()
    of = _shown(people)
    return mark_safe(  # noqa: S308 (every value in it is escaped by _shown)
        "".join(
            f'<tr><th scope="row">{conditional_escape(formats.date_format(week["week"], "j M Y"))}</th>'
            f"<td>{_shown(week['count'])}</td><td>{_shown(week['target'])}</td>"
            f"<td>{_shown(week['people_met'])} of {of}</td></tr>"
            for week in weeks
        )
    )


def progress_movement(people, period: Period, *, organisation=None, everyone: int | None = None) -> dict:
    """How many people are in each group of `movement.GROUPS` (up on most items, up on some and down on none, up
    on some and down on others, no change, down only, one review, no review), comparing each person's first and
    latest review in the period on the organisation's scale. Withdrawn reviews do not count. One query for
    everyone (and one for the scale). `organisation` and `everyone` (how many people), when the caller knows
    them, save reading them."""
    if everyone is None:
        everyone = people.count()
    if organisation is None:
        first_person = people.select_related("organisation").first()
        organisation = first_person.organisation if first_person else None
    scale = current_scale(organisation) if organisation is not None and everyone else None
    return count_groups(rating_positions(people, scale, period) if scale else [], everyone)


# Horizontal bars for the progress chart, in the same units as practice.charts (an SVG viewBox).
BAR_WIDTH, BAR_ROW, BAR_LABEL = 360, 30, 180


def progress_bars(moved: dict) -> dict:
    """One bar for each group of people in progress_movement, longest = most people."""
    top = max([moved.get(group.key, 0) for group in GROUPS] + [1])
    plot = BAR_WIDTH - BAR_LABEL - 40
    rows = []
    for i, group in enumerate(GROUPS):
        value = moved.get(group.key, 0)
        rows.append(
            {
                "key": group.key,
                "compared": group.key in COMPARED,
                "label": group.short,
                "meaning": group.meaning,
                "value": value,
                "y": i * BAR_ROW + 6,
                "width": round(plot * value / top, 1),
                "text_x": round(BAR_LABEL + plot * value / top + 6, 1),
            }
        )
    return {"width": BAR_WIDTH, "height": len(rows) * BAR_ROW + 6, "left": BAR_LABEL, "rows": rows}


def weeks_against_target(people, period: Period, *, everyone: dict | None = None, held=None) -> list[dict]:
    """Each whole week (Monday to Sunday) of the period: the sessions held with the people, the sessions their
    weekly targets add up to, and how many people reached their own target. Withdrawn sessions do not count.
    The database counts by week (and by person only for those who reached their target). `everyone` (how many
    people and their targets' sum) and `held` (sessions by week's index), when the caller has counted them, are
    not counted again."""
    mondays = _whole_weeks(period)
    if everyone is None:
        everyone = people.aggregate(n=Count("pk"), target=Sum(_TARGET))
    if not mondays or not everyone["n"]:
        return []
    edges = _week_edges(mondays)
    window = Period(since=mondays[0], until=mondays[-1] + timedelta(days=6))
    # no ordering: a session's own (newest first) would have to be grouped by too, which PostgreSQL refuses
    sessions = sessions_in(people.values("pk"), window).order_by().annotate(week=Bucket("started_at", edges))
    if held is None:
        held = dict(sessions.values("week").annotate(n=Count("pk")).values_list("week", "n"))
    reached_target = (
        sessions.values("week", "learner_id")
        .annotate(
            n=Count("pk"),
            target=Coalesce(F("learner__weekly_session_target"), F("learner__organisation__weekly_session_target")),
        )
        .filter(target__gt=0, n__gte=F("target"))
        .values_list("week", flat=True)
    )
    people_met: dict[int, int] = defaultdict(int)
    for week in reached_target:
        people_met[week] += 1
    target = everyone["target"] or 0
    return [
        {
            "week": monday,
            "count": held.get(i, 0),
            "target": target,
            "met": held.get(i, 0) >= target,
            "people_met": people_met[i],
        }
        for i, monday in enumerate(mondays)
    ]


def family_feedback(people, period: Period) -> dict:
    """The family voice in the period: how many answers and from how many families, and the average answer to
    each statement (1 to 5)."""
    answers = family_feedback_in(people, period).values("learner_id", "understand", "connected", "reassured", "enjoy")
    answers = list(answers)
    statements = []
    for field, statement in FAMILY_FEEDBACK_QUESTIONS:
        values = [a[field] for a in answers if a[field]]
        statements.append(
            {"field": field, "statement": statement, "average": round(sum(values) / len(values), 1) if values else None}
        )
    return {
        "answers": len(answers),
        "families": len({a["learner_id"] for a in answers}),
        "statements": statements,
    }


def video_reflection(people, period: Period) -> dict:
    """Reflection on film in the period: videos of the people's sessions in the period (withdrawn sessions
    left out), how many of them someone reflected on (a note or comment, a rating, or a coding), and the
    computer's measurements of them: every run, and those chosen by a reviewer. One query."""
    return video_figures(videos_in(people, period))


def below_target_people(*, actor: Membership, scope: Scope, today: date | None = None, weeks: int = 2):
    """People below their weekly session target in each of the last `weeks` whole weeks, by name, as a query
    (each with `week_0`…, the sessions of each week, and `target`). The weeks' dates are in the join, so the
    database reads only those weeks' sessions, not everything each person ever had."""
    today = today or timezone.localdate()
    this_week = week_start(today)
    first = this_week - timedelta(weeks=weeks)
    mondays = [first + timedelta(weeks=i) for i in range(weeks + 1)]
    starts = [Period(since=monday, until=monday).start for monday in mondays]
    recent = FilteredRelation(
        "sessions",
        condition=Q(
            sessions__started_at__gte=starts[0],
            sessions__started_at__lt=starts[-1],
            sessions__withdrawn_at__isnull=True,
        ),
    )
    counts = {
        f"week_{i}": Count("recent", filter=Q(recent__started_at__gte=starts[i], recent__started_at__lt=starts[i + 1]))
        for i in range(weeks)
    }
    return (
        scope.people(actor)
        .annotate(recent=recent)
        .annotate(target=_TARGET, **counts)
        .filter(target__gt=0, **{f"week_{i}__lt": F("target") for i in range(weeks)})
        .order_by("first_name", "last_name", "pk")
    )


def below_target_rows(people, weeks: int = 2) -> list[dict]:
    """Each person of below_target_people with their sessions week by week and their target."""
    return [
        {"learner": learner, "weekly": [getattr(learner, f"week_{i}") for i in range(weeks)], "target": learner.target}
        for learner in people
    ]


def regularity(*, actor: Membership, scope: Scope, today: date | None = None, weeks: int = 2) -> list[dict]:
    """Everyone below their weekly target in each of the last `weeks` whole weeks (see below_target_people)."""
    return below_target_rows(below_target_people(actor=actor, scope=scope, today=today, weeks=weeks), weeks)


def people_without_review_this_term(*, actor: Membership, scope: Scope, today: date | None = None):
    """People with no progress review on the organisation's current scale since the term began, by name, as a
    query."""
    today = today or timezone.localdate()
    scale = current_scale(actor.organisation)
    since = organisation_term_start(actor.organisation_id, today)
    return people_without_review_since(scope.people(actor), scale, since).order_by("first_name", "last_name", "pk")


def without_review_this_term(*, actor: Membership, scope: Scope, today: date | None = None) -> list[Learner]:
    return list(people_without_review_this_term(actor=actor, scope=scope, today=today))


# --- The alerts: a count and the first few names on the dashboard, everyone on a page of its own ----------------

SHOWN_ON_DASHBOARD = 10

# What a line of an alert shows of a person (with their id): the name they are known by and their last name.
ALERT_FIELDS = ("first_name", "last_name", "preferred_name")


@dataclass(frozen=True)
class AlertList:
    """One alert about people: its page's address (slug), its heading, and who is in it."""

    slug: str
    title: str

    def people(self, actor: Membership, scope: Scope, today: date, *, count_consents: bool = False):
        """Everyone in the alert, by name, as a query: counted and paged by the database. With `count_consents`,
        each person in a consent alert carries how many of their consents are in it (`alerting_consents`). Each
        person is read with only what a line shows (their names; `ALERT_FIELDS`), so the database neither reads
        nor, for the sessions below target, groups by the rest."""
        if self.slug == "below-target":
            people = below_target_people(actor=actor, scope=scope, today=today)
        elif self.slug == "no-review":
            people = people_without_review_this_term(actor=actor, scope=scope, today=today)
        else:
            people = people_with_consent_alert(
                actor=actor,
                status=_CONSENT_STATUS[self.slug],
                learners=scope.people(actor),
                on=today,
                count_consents=count_consents,
            )
        return people.only(*ALERT_FIELDS)

    def rows(self, people: list, today: date) -> list:
        """What each line of the list shows, for these people (a page of them)."""
        if self.slug == "below-target":
            return below_target_rows(people)
        if self.slug == "no-review":
            return people
        return consent_alerts_of(people, status=_CONSENT_STATUS[self.slug], on=today)

    def preview(self, actor: Membership, scope: Scope, today: date) -> dict:
        """For the dashboard: how many, and the first few lines (a consent alert: also how many consents). One
        query: each of the first few carries the totals of everyone in the alert (windows over the whole list,
        taken before the first few are cut off)."""
        consents = self.slug in _CONSENT_STATUS
        totals = {"in_alert": Window(Count("pk"))}
        if consents:
            totals["consents_in_alert"] = Window(Sum("alerting_consents"))
        people = self.people(actor, scope, today, count_consents=consents).annotate(**totals)
        first = list(people[:SHOWN_ON_DASHBOARD])
        preview = {"count": first[0].in_alert if first else 0, "rows": self.rows(first, today), "slug": self.slug}
        if consents:
            preview["consents"] = int(first[0].consents_in_alert) if first else 0
        return preview


_CONSENT_STATUS = {"consent-review": Status.REVIEW_DUE, "consent-expired": Status.EXPIRED}

ALERT_LISTS = {
    alert.slug: alert
    for alert in (
        AlertList("below-target", "Below their session target two weeks running"),
        AlertList("no-review", "No progress review this term"),
        AlertList("consent-review", "Consent reviews due"),
        AlertList("consent-expired", "Consents expired"),
    )
}


def alert_previews(*, actor: Membership, scope: Scope, today: date) -> dict:
    """Every alert about people as the dashboard shows it, with the number of consents in the consent alerts."""
    return {alert.slug.replace("-", "_"): alert.preview(actor, scope, today) for alert in ALERT_LISTS.values()}

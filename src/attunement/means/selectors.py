"""Every read of the means, always scoped to the acting member through `policies.py`.

The four selectors a dashboard calls (`training_overdue`, `supervision_actions_overdue`,
`self_report_trends`, `champions`) return plain data (lists of dicts of strings, numbers and dates) and an
empty list for anyone who may not see them, so a dashboard can call them for every role.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Collate, Concat, Trim
from django.utils import timezone

from attunement.organisations.models import Membership
from attunement.organisations.policies import STAFF_ROLES
from attunement.practice.models import Session
from attunement.practice.selectors import sessions_visible_to
from attunement.suppression import mean_if_enough, shown

from .dates import add_months, quarter_end, quarter_label, quarter_start, quarters_between, refresher_due
from .models import AgreedAction, Champion, Course, SelfReport, SupervisionMeeting, TrainingCompletion
from .policies import (
    agreed_action_policy,
    champion_policy,
    course_policy,
    leads,
    meeting_policy,
    self_report_policy,
    training_policy,
)
from .vocabulary import DUE_SOON_DAYS, SELF_REPORT_ITEMS


def _name(membership: Membership) -> str:
    return str(membership.user)


# --- Staff -----------------------------------------------------------------------------------------------


def staff_members(*, actor: Membership) -> QuerySet[Membership]:
    """The organisation's current staff, for choosing a supervisor, a champion or whose training it is.
    Anyone who is not staff gets nobody."""
    if actor is None or not actor.is_active or actor.role not in STAFF_ROLES:
        return Membership.objects.none()
    return (
        Membership.objects.filter(organisation_id=actor.organisation_id, is_active=True, role__in=STAFF_ROLES)
        .select_related("user", "site")
        .order_by("user__first_name", "user__last_name", "user__email")
    )


# --- Training --------------------------------------------------------------------------------------------


def courses(*, actor: Membership, include_retired: bool = False) -> QuerySet[Course]:
    """The organisation's training list."""
    found = course_policy.scope(actor)
    if not include_retired:
        found = found.filter(retired_at__isnull=True)
    return found.order_by("position", "pk")


def course_get(*, actor: Membership, course_id: int) -> Course:
    return course_policy.scope(actor).get(pk=course_id)


def completion_get(*, actor: Membership, completion_id: int) -> TrainingCompletion:
    return training_policy.scope(actor).select_related("course", "staff__user").get(pk=completion_id)


def completions_of(*, actor: Membership, staff: Membership) -> QuerySet[TrainingCompletion]:
    """One member of staff's training, newest first (empty if the actor may not see it)."""
    return training_policy.scope(actor).filter(staff=staff).select_related("course").order_by("-completed_on", "-pk")


def _status(course: Course, done_on: date | None, today: date) -> dict:
    """Where one member of staff stands with one course."""
    due_on = refresher_due(done_on, course.refresh_months) if done_on else None
    if done_on is None:
        state = "needed" if course.required else "not_done"
    elif due_on is None:
        state = "done"
    elif due_on < today:
        state = "overdue"
    elif due_on <= today + timedelta(days=DUE_SOON_DAYS):
        state = "due_soon"
    else:
        state = "done"
    return {"course": course, "done_on": done_on, "due_on": due_on, "state": state}


def _latest_done(actor: Membership, staff_ids) -> dict[tuple[int, int], date]:
    """(member, course) -> the date they last finished it, among the records the actor may see."""
    rows = (
        training_policy.scope(actor)
        .filter(staff_id__in=staff_ids)
        .values("staff_id", "course_id")
        .annotate(latest=Max("completed_on"))
        .order_by()
    )
    return {(row["staff_id"], row["course_id"]): row["latest"] for row in rows}


def my_training(*, actor: Membership, today: date | None = None) -> list[dict]:
    """The actor's own standing with each course in the catalogue."""
    today = today or timezone.localdate()
    latest = _latest_done(actor, [actor.pk])
    return [_status(course, latest.get((actor.pk, course.pk)), today) for course in courses(actor=actor)]


def training_matrix(*, actor: Membership, today: date | None = None) -> dict:
    """Staff × courses for leaders: for each, when it was last done, when it is due again, and its state."""
    if not training_policy.role_may(actor, "view_matrix"):
        return {"courses": [], "rows": []}
    today = today or timezone.localdate()
    catalogue = list(courses(actor=actor))
    staff = list(staff_members(actor=actor))
    latest = _latest_done(actor, [member.pk for member in staff])
    rows = [
        {"staff": member, "cells": [_status(course, latest.get((member.pk, course.pk)), today) for course in catalogue]}
        for member in staff
    ]
    return {"courses": catalogue, "rows": rows}


def training_overdue(*, actor: Membership, today: date | None = None) -> list[dict]:
    """Refreshers that are overdue, and required courses never done, for everyone the actor may see
    (leaders: all staff; other staff: themselves). Each: member_id, name, course_id, course, done_on, due_on
    (None for a required course never done)."""
    today = today or timezone.localdate()
    if leads(actor):
        staff = list(staff_members(actor=actor))
    elif training_policy.role_may(actor, "record_own"):
        staff = [actor]
    else:
        return []
    catalogue = list(courses(actor=actor))
    latest = _latest_done(actor, [member.pk for member in staff])
    found = []
    for member in staff:
        for course in catalogue:
            status = _status(course, latest.get((member.pk, course.pk)), today)
            if status["state"] in ("overdue", "needed"):
                found.append(
                    {
                        "member_id": member.pk,
                        "name": _name(member),
                        "course_id": course.pk,
                        "course": course.name,
                        "done_on": status["done_on"],
                        "due_on": status["due_on"],
                    }
                )
    return sorted(found, key=lambda row: (row["due_on"] or date.min, row["name"], row["course"]))


def _refresher_cutoff(refresh_months: int, today: date) -> date:
    """The earliest completion date whose refresher is not yet overdue on `today`: a refresher is overdue exactly
    when the course was last done before it (refresher_due grows with the date it is worked out from)."""
    day = add_months(today, -refresh_months)
    while refresher_due(day, refresh_months) < today:
        day += timedelta(days=1)
    while refresher_due(day - timedelta(days=1), refresh_months) >= today:
        day -= timedelta(days=1)
    return day


def _shown_name_order():
    """str(user) (display name, else full name, else email) as the database orders it, in code point order as
    Python compares strings."""
    full = Trim(Concat(F("user__first_name"), Value(" "), F("user__last_name")))
    shown = Case(
        When(~Q(user__display_name=""), then=F("user__display_name")),
        When(~Q(_full_name=""), then=F("_full_name")),
        default=F("user__email"),
        output_field=CharField(),
    )
    return {"_full_name": full}, Collate(shown, "C" if connection.vendor == "postgresql" else "BINARY")


def training_overdue_summary(*, actor: Membership, today: date | None = None, first: int = 10) -> dict:
    """training_overdue as a count and its first `first` lines (in the same order), for a dashboard: the
    database counts everyone's missing and overdue training and returns only the lines shown. Each course
    takes one count and, if its lines may be shown, one read of its first few (needed before overdue, then
    by due date and name, as training_overdue sorts them)."""
    today = today or timezone.localdate()
    if leads(actor):
        staff = staff_members(actor=actor)
    elif training_policy.role_may(actor, "record_own"):
        staff = Membership.objects.filter(pk=actor.pk).select_related("user")
    else:
        return {"count": 0, "rows": []}
    records = training_policy.scope(actor).filter(staff_id=OuterRef("pk"))
    conditions = {}  # (course, "needed" or "overdue") -> which members
    for course in courses(actor=actor):
        done = Exists(records.filter(course_id=course.pk))
        if course.required:
            conditions[(course, "needed")] = ~done
        if course.refresh_months:
            recent = Exists(
                records.filter(course_id=course.pk, completed_on__gte=_refresher_cutoff(course.refresh_months, today))
            )
            conditions[(course, "overdue")] = done & ~recent
    if not conditions:
        return {"count": 0, "rows": []}
    keys = list(conditions)
    counts = staff.order_by().aggregate(
        **{f"n{i}": Count("pk", filter=condition) for i, condition in enumerate(conditions.values())}
    )
    counted = {key: counts[f"n{i}"] for i, key in enumerate(keys)}
    needed = sum(n for (_, kind), n in counted.items() if kind == "needed")
    found = []
    extra, name_order = _shown_name_order()
    by_name = (name_order, "user__first_name", "user__last_name", "user__email", "pk")
    for (course, kind), n in counted.items():
        if not n or (kind == "overdue" and needed >= first):
            continue
        members = staff.annotate(**extra).filter(conditions[(course, kind)])
        if kind == "needed":
            found += [_overdue_row(member, course, None) for member in members.order_by(*by_name)[:first]]
            continue
        latest = Subquery(records.filter(course_id=course.pk).order_by("-completed_on").values("completed_on")[:1])
        members = members.annotate(latest=latest)
        shown = list(members.order_by("latest", *by_name)[:first])
        if len(shown) == first:
            # different dates that fall due on the same day (28 to 31 January, a month on) sort by name among them
            since = until = shown[-1].latest
            due = refresher_due(since, course.refresh_months)
            while refresher_due(since - timedelta(days=1), course.refresh_months) == due:
                since -= timedelta(days=1)
            while refresher_due(until + timedelta(days=1), course.refresh_months) == due:
                until += timedelta(days=1)
            if (since, until) != (shown[-1].latest,) * 2:
                shown = [member for member in shown if member.latest < since] + list(
                    members.filter(latest__gte=since, latest__lte=until).order_by(*by_name)[:first]
                )
        found += [_overdue_row(member, course, member.latest) for member in shown]
    found.sort(key=lambda row: (row["due_on"] or date.min, row["name"], row["course"]))
    return {"count": sum(counted.values()), "rows": found[:first]}


def _overdue_row(member: Membership, course: Course, done_on: date | None) -> dict:
    return {
        "member_id": member.pk,
        "name": _name(member),
        "course_id": course.pk,
        "course": course.name,
        "done_on": done_on,
        "due_on": refresher_due(done_on, course.refresh_months) if done_on else None,
    }


# --- Supervision and mentoring ---------------------------------------------------------------------------


def meetings(*, actor: Membership) -> QuerySet[SupervisionMeeting]:
    """The meetings the actor may see, newest first, each with `visible_sessions` (only the sessions the
    actor may see themselves) and `session_count` (all the sessions discussed)."""
    return (
        meeting_policy.scope(actor)
        .select_related("supervisor__user", "supervisee__user")
        .prefetch_related(
            Prefetch(
                "sessions",
                queryset=sessions_visible_to(actor).select_related("learner").order_by("-started_at"),
                to_attr="visible_sessions",
            ),
            Prefetch("actions", queryset=AgreedAction.objects.select_related("owner__user").order_by("pk")),
        )
        .annotate(session_count=Count("sessions", distinct=True, filter=Q(sessions__withdrawn_at__isnull=True)))
        .order_by("-met_on", "-pk")
    )


def agreed_action_get(*, actor: Membership, action_id: int) -> AgreedAction:
    return agreed_action_policy.scope(actor).select_related("meeting", "owner__user").get(pk=action_id)


def session_choices(*, actor: Membership, days: int = 90, limit: int = 60) -> QuerySet[Session]:
    """Recent sessions the actor may see, to choose the ones discussed at a meeting."""
    since = timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=days), time.min))
    ids = (
        sessions_visible_to(actor)
        .filter(started_at__gte=since)
        .order_by("-started_at")
        .values_list("pk", flat=True)[:limit]
    )
    return Session.objects.filter(pk__in=list(ids)).select_related("learner").order_by("-started_at")


def supervision_actions_overdue(*, actor: Membership, today: date | None = None) -> list[dict]:
    """Agreed actions not done by their date, in the meetings the actor may see. Each: action_id, text, owner,
    owner_id, due_on, meeting_on, kind."""
    today = today or timezone.localdate()
    overdue = (
        agreed_action_policy.scope(actor)
        .filter(done_on__isnull=True, due_on__lt=today)
        .select_related("owner__user", "meeting")
        .order_by("due_on", "pk")
    )
    return [
        {
            "action_id": action.pk,
            "text": action.text,
            "owner": _name(action.owner),
            "owner_id": action.owner_id,
            "due_on": action.due_on,
            "meeting_on": action.meeting.met_on,
            "kind": action.meeting.get_kind_display(),
        }
        for action in overdue
    ]


# --- Champions -------------------------------------------------------------------------------------------


def champion_records(*, actor: Membership) -> QuerySet[Champion]:
    """The current champions and co-ordinators, whole organisation first, then by site."""
    return (
        champion_policy.scope(actor)
        .filter(ended_on__isnull=True)
        .select_related("site", "staff__user")
        .order_by("site__name", "kind", "staff__user__first_name", "pk")
    )


def champion_get(*, actor: Membership, champion_id: int) -> Champion:
    return champion_policy.scope(actor).get(pk=champion_id)


def champions(*, actor: Membership) -> list[dict]:
    """Who champions Intensive Interaction where. Each: champion_id, site (None for the whole organisation),
    kind, member_id, name, since."""
    return [
        {
            "champion_id": champion.pk,
            "site": champion.site.name if champion.site else None,
            "kind": champion.get_kind_display(),
            "member_id": champion.staff_id,
            "name": _name(champion.staff),
            "since": champion.started_on,
        }
        for champion in champion_records(actor=actor)
    ]


# --- Staff self-report -----------------------------------------------------------------------------------


def my_self_reports(*, actor: Membership, limit: int = 12) -> QuerySet[SelfReport]:
    """The actor's own answers, newest month first. Nobody else's, whatever their role."""
    return self_report_policy.scope(actor).order_by("-month")[:limit]


def self_report_this_month(*, actor: Membership, today: date | None = None) -> SelfReport | None:
    month = (today or timezone.localdate()).replace(day=1)
    return self_report_policy.scope(actor).filter(month=month).first()


SELF_REPORT_WAITING = "Shown when the quarter has ended and at least 5 people have answered"


def self_report_trends(*, actor: Membership, since: date, until: date, today: date | None = None) -> list[dict]:
    """Averages of the staff self-report for each whole calendar quarter from `since` to `until`.

    Only leaders get anything. Each person counts once a quarter (the average of their months), so someone
    who answered three times weighs no more than someone who answered once. The period is widened to whole
    quarters, so two overlapping periods cannot be subtracted to reveal one person's month.

    A quarter is published only once it has ended (answers are given for the current month only, so an
    ended quarter never changes) and only when at least five people answered. Until then its count and
    averages are None: a leader who looks before and after a colleague answers sees no change, so cannot
    work out her answers by subtraction.

    Each quarter: {"start", "end", "label", "published", "people" (or None), "items": [{"field",
    "statement", "higher_is_better", "average" (or None)}]}.
    """
    if not self_report_policy.role_may(actor, "view_trends"):
        return []
    if since > until:
        since, until = until, since
    first, last = quarter_start(since), quarter_end(until)
    fields = [field for field, _, _ in SELF_REPORT_ITEMS]
    answers = (
        SelfReport.objects.filter(organisation_id=actor.organisation_id, month__gte=first, month__lte=last)
        .values_list("staff_id", "month", *fields)
        .order_by()
    )
    # quarter -> person -> list of answer tuples
    by_quarter: dict[date, dict[int, list[tuple]]] = defaultdict(lambda: defaultdict(list))
    for staff_id, month, *values in answers:
        by_quarter[quarter_start(month)][staff_id].append(values)
    result = []
    today = today or timezone.localdate()
    for start in quarters_between(first, last):
        end = add_months(start, 3) - timedelta(days=1)
        people = by_quarter.get(start, {})
        person_means = [[sum(column) / len(rows) for column in zip(*rows, strict=True)] for rows in people.values()]
        published = end < today and shown(len(person_means)) is not None
        if not published:
            person_means = []
        items = []
        for index, (field, statement, higher_is_better) in enumerate(SELF_REPORT_ITEMS):
            total = sum(means[index] for means in person_means)
            items.append(
                {
                    "field": field,
                    "statement": statement,
                    "higher_is_better": higher_is_better,
                    "average": mean_if_enough(total, len(person_means)) if published else None,
                }
            )
        result.append(
            {
                "start": start,
                "end": end,
                "label": quarter_label(start),
                "published": published,
                "waiting": "" if published else SELF_REPORT_WAITING,
                "people": len(person_means) if published else None,
                "items": items,
            }
        )
    return result

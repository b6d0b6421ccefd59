"""The anonymised organisation figures: counts and averages only, never a name, a date of birth or a note.

Withdrawn sessions and reviews never count. Lookups across a relation (`Count("sessions")`,
`review__learner__in=...`) do not go through the manager that leaves them out, so each one here says so."""

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from attunement.codings.models import CodingPass
from attunement.interaction.models import AnalysisStatus, VideoAnalysis
from attunement.learners.models import Learner, PlanOutcome
from attunement.means.models import Course, SelfReport, SupervisionMeeting, TrainingCompletion
from attunement.organisations.models import Membership, Organisation
from attunement.organisations.policies import STAFF_ROLES
from attunement.practice.models import FamilyFeedback, ObservedBehaviour, ProgressReview, ReviewRating, Session
from attunement.practice.novelty import first_behaviour_ids
from attunement.practice.selectors import current_scale, rated_items, week_start
from attunement.privacy.consent_sql import consent_in_force
from attunement.privacy.models import Purpose
from attunement.reflection.models import SessionVideo, VideoComment, VideoRating
from attunement.suppression import THRESHOLD, average_over, count_of_people, exact, part_of, protected, suppress_counts

from .models import TermStart
from .movement import GROUPS, count_groups
from .periods import Period

WEEKS = 12


def counted_people(organisation: Organisation, today: date, group=None):
    """The people anonymised figures may count: still supported, and agreed to use in anonymised reports; with
    `group`, only those in that class or group now."""
    people = Learner.objects.filter(consent_in_force(Purpose.REPORTS, today), organisation=organisation, is_active=True)
    return people if group is None else people.filter(group=group)


def small_class_in(organisation: Organisation, today: date) -> bool:
    """Whether some class or group, or the people in none, has from 1 to THRESHOLD - 1 people counted. While one
    has, no single class's figures may be shown: the whole organisation's figures, less those of the other
    classes, would be the small one's. When every part is empty or large enough, any sum or difference of
    parts is large enough too."""
    sizes = counted_people(organisation, today).values("group_id").annotate(n=Count("pk")).values_list("n", flat=True)
    return any(n < THRESHOLD for n in sizes)


def sessions_per_person(people, since: date, until_exclusive: date) -> list[tuple[int, int, int | None]]:
    """For each person: their sessions from `since` up to (not including) `until_exclusive`, how many of them
    had something seen for the first time, and their own weekly target (None: the organisation's)."""
    start = timezone.make_aware(datetime.combine(since, time.min))
    end = timezone.make_aware(datetime.combine(until_exclusive, time.min))
    in_time = Q(sessions__started_at__gte=start, sessions__started_at__lt=end, sessions__withdrawn_at__isnull=True)
    return list(
        people.annotate(
            sessions_n=Count("sessions", filter=in_time),
            new_n=Count("sessions", filter=in_time & Q(sessions__has_new_behaviour=True)),
        ).values_list("sessions_n", "new_n", "weekly_session_target")
    )


def organisation_summary(*, organisation: Organisation, today: date | None = None, period=None, group=None) -> dict:
    """Anonymised figures for the last WEEKS whole weeks, or for `period` if given, about everyone counted or
    about one class or group. Each figure is a `suppression.Figure`, so it is shown, "fewer than 5", or
    "hidden to protect privacy". A class's figures are all hidden (`withheld`) while `small_class_in` is true."""
    today = today or timezone.localdate()
    if period is None:
        since = week_start(today) - timedelta(weeks=WEEKS)
        until = week_start(today)  # whole weeks only
    else:
        since, until = period.since, period.until + timedelta(days=1)
    weeks = max((until - since).days / 7, 1)
    people = counted_people(organisation, today, group)
    n_people = people.count()
    withheld = group is not None and small_class_in(organisation, today)
    enough = n_people >= THRESHOLD and not withheld
    totals = sessions_per_person(people, since, until)
    sessions_total = sum(n for n, _, _ in totals)
    target_default = organisation.weekly_session_target
    meeting = sum(1 for n, _, target in totals if n >= weeks * (target if target is not None else target_default))
    with_new = sum(1 for _, new, _ in totals if new > 0)
    target_row = suppress_counts({"met": meeting, "not_met": n_people - meeting}, total_shown=True)
    return {
        "threshold": THRESHOLD,
        "weeks": round(weeks),
        "period": (since, until - timedelta(days=1)),
        "people": protected() if withheld else count_of_people(n_people),
        "enough_people": enough,
        "withheld": withheld,
        "sessions_total": exact(sessions_total) if enough else protected(),
        "sessions_per_person_week": average_over(sessions_total / weeks, n_people) if enough else protected(),
        "target_rows": target_row.cells if enough else {"met": protected(), "not_met": protected()},
        "with_new": part_of(with_new, n_people) if enough else protected(),
        "levels": _latest_levels(organisation, people) if enough else None,
    }


def _latest_levels(organisation: Organisation, people) -> dict | None:
    """How many people are at each level of each item at their latest review on the organisation's scale."""
    scale = current_scale(organisation)
    if scale is None:
        return None
    levels = list(scale.levels.all())
    latest: dict[tuple[int, str], int] = {}
    ratings = (
        _ratings_on(people, scale)
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
        row = suppress_counts(counts, total_shown=True)
        rows.append({"name": item["name"], "rated": row.total, "cells": list(row.cells.values())})
    return {"scale": scale, "levels": levels, "rows": rows}


# How people's progress moved, said so that one item up of seventeen does not read as "moved up".
MOVEMENT = [(group.key, group.meaning) for group in GROUPS]


def progress_distribution(people, since: date, until: date) -> dict[str, int]:
    """How many people are in each `MOVEMENT` group (the one rule in outcomes/movement.py), comparing each
    person's first and latest review in the period on the organisation's current scale, withdrawn reviews left
    out."""
    people = list(people.select_related("organisation"))
    scale = current_scale(people[0].organisation) if people else None
    rows = rating_positions(people, scale, Period(since=since, until=until)) if scale else []
    return count_groups(rows, len(people))


# --- The reads behind the reports and the dashboard ------------------------------------------------------------
# `people` is always a set already fetched through a scope (`learners_visible_to`, `Scope.people`) or the
# people anonymised figures may count (`counted_people`, after the view's role check): these reads narrow it,
# they never widen it. Withdrawn sessions and reviews are left out by their managers, or said so where a
# lookup goes across a relation.


def _ratings_on(people, scale):
    """The ratings of `people`'s reviews on `scale`, withdrawn reviews left out (across a relation: said so)."""
    return ReviewRating.objects.filter(
        review__learner__in=people, review__scale=scale, review__withdrawn_at__isnull=True
    )


def rating_positions(people, scale, period: Period):
    """Each rating of `people`'s reviews on `scale` in `period`, oldest review first, as (learner id, review id,
    Fundamental id, area, level position)."""
    return (
        _ratings_on(people, scale)
        .filter(review__reviewed_on__gte=period.since, review__reviewed_on__lte=period.until)
        .order_by("review__reviewed_on", "review_id")
        .values_list("review__learner_id", "review_id", "fundamental_id", "area", "level__position")
    )


def sessions_in(people, period: Period):
    """The sessions of `people` that started in `period`."""
    return Session.objects.filter(learner__in=people, started_at__gte=period.start, started_at__lt=period.end)


def first_sightings_in(sessions, learner_ids):
    """The behaviours in `sessions` (already read through a scope) that were real firsts for these people."""
    return ObservedBehaviour.objects.filter(
        session__in=sessions, novelty="new", pk__in=first_behaviour_ids(learner_ids)
    ).select_related("session")


def ratings_of_reviews(reviews):
    """The ratings of `reviews` (already read through a scope), oldest review first, with their levels."""
    return (
        ReviewRating.objects.filter(review__in=reviews)
        .select_related("review", "level", "fundamental")
        .order_by("review__reviewed_on", "review__pk")
    )


def reviews_for_outcome(learner: Learner, outcome, period: Period):
    """The reviews of `learner` (already fetched through the scope) in `period` that are evidence for one of
    their plan outcomes, oldest first."""
    return ProgressReview.objects.filter(
        learner=learner, outcomes=outcome, reviewed_on__gte=period.since, reviewed_on__lte=period.until
    ).order_by("reviewed_on")


def people_without_review_since(people, scale, since: date):
    """Those of `people` with no review on `scale` (None: none at all counts) from `since`."""
    reviewed = ProgressReview.objects.filter(
        learner=OuterRef("pk"), reviewed_on__gte=since, scale_id__in=[scale.pk] if scale else []
    )
    return people.filter(~Exists(reviewed))


def family_feedback_in(people, period: Period):
    """Families' answers about `people` given in `period`."""
    return FamilyFeedback.objects.filter(learner__in=people, given_on__gte=period.since, given_on__lte=period.until)


def videos_in(people, period: Period):
    """The videos of `people`'s sessions that started in `period`, withdrawn sessions left out (across a relation:
    said so)."""
    return SessionVideo.objects.filter(
        session__learner__in=people,
        session__withdrawn_at__isnull=True,
        session__started_at__gte=period.start,
        session__started_at__lt=period.end,
    )


def video_figures(videos) -> dict[str, int]:
    """For `videos`: how many; how many someone reflected on (a note or comment, a rating, or a complete coding);
    and the finished computer measurements of them: every run, how many videos were measured, and how many runs a
    reviewer chose to count. One query, each video asked once about each."""
    video = OuterRef("pk")
    done = VideoAnalysis.objects.filter(video=video, status=AnalysisStatus.DONE)

    def per_video(runs):
        return Subquery(
            runs.order_by().values("video").annotate(n=Count("pk")).values("n"), output_field=IntegerField()
        )

    figures = videos.aggregate(
        videos=Count("pk"),
        reflected_on=Count(
            "pk",
            filter=Q(Exists(VideoComment.objects.filter(video=video)))
            | Q(Exists(VideoRating.objects.filter(video=video)))
            | Q(Exists(CodingPass.objects.filter(video=video, complete=True))),
        ),
        runs=Sum(per_video(done)),
        measured=Count("pk", filter=Q(Exists(done))),
        chosen=Sum(per_video(done.filter(chosen_by__isnull=False))),
    )
    return {key: int(value or 0) for key, value in figures.items()}


def people_with_current_outcomes(people, **also) -> dict[str, int]:
    """How many of `people` there are, and how many have a current plan with an outcome still in use: one query
    (which also counts any further aggregates of the same people given as `also`)."""
    current = PlanOutcome.objects.filter(plan__learner=OuterRef("pk"), plan__is_active=True, is_active=True)
    return people.aggregate(people=Count("pk"), with_outcomes=Count("pk", filter=Q(Exists(current))), **also)


def active_staff(organisation: Organisation):
    """The organisation's staff with an active account (reached only after the view's role check)."""
    return Membership.objects.filter(organisation=organisation, is_active=True, role__in=STAFF_ROLES)


def required_course_ids(organisation: Organisation) -> set[int]:
    """The courses the organisation marks as required of all staff, still offered."""
    return set(
        Course.objects.filter(organisation=organisation, required=True, retired_at__isnull=True).values_list(
            "pk", flat=True
        )
    )


def courses_done(staff, course_ids) -> dict[int, set[int]]:
    """For each of `staff`: which of `course_ids` they have completed (staff with none are left out)."""
    done: dict[int, set[int]] = {}
    for staff_id, course_id in TrainingCompletion.objects.filter(staff__in=staff, course_id__in=course_ids).values_list(
        "staff_id", "course_id"
    ):
        done.setdefault(staff_id, set()).add(course_id)
    return done


def supervision_meetings_in(organisation: Organisation, period: Period):
    """The organisation's supervision, mentoring and video-reflection meetings in `period`."""
    return SupervisionMeeting.objects.filter(
        organisation=organisation, met_on__gte=period.since, met_on__lte=period.until
    )


def own_self_reports(actor: Membership, period: Period):
    """The member's own answers about how they have been feeling, month by month in `period`: never anyone
    else's."""
    return SelfReport.objects.filter(
        staff=actor, month__gte=period.since.replace(day=1), month__lte=period.until
    ).order_by("month")


def term_starts_of(*, organisation_id: int) -> list[date]:
    """The organisation's own term start dates, earliest first (none: the usual three terms apply). Asked only
    with the acting member's own organisation."""
    return list(TermStart.objects.filter(organisation_id=organisation_id).values_list("starts_on", flat=True))


def terms_of(*, actor: Membership) -> list[TermStart]:
    """The actor's organisation's term starts, earliest first, for the page that sets them."""
    return list(TermStart.objects.filter(organisation_id=actor.organisation_id).order_by("starts_on"))

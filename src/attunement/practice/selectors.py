"""Every read of practice records, always scoped to the acting member."""

import uuid
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from statistics import median_low

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from attunement.learners.models import Assignment, Learner, PlanOutcome
from attunement.learners.policies import learner_policy
from attunement.learners.selectors import learners_visible_to
from attunement.organisations.models import Membership, Organisation
from attunement.organisations.policies import sees_whole_organisation
from attunement.organisations.selectors import staff_of

from .models import (
    Correction,
    Fundamental,
    ObservedBehaviour,
    ProgressReview,
    ProgressScale,
    ReviewRating,
    ScaleLevel,
    Session,
)
from .novelty import history_of
from .policies import fundamental_policy, review_policy, session_policy
from .session_media import attach_media
from .vocabulary import ENGAGEMENT_AREAS, Rates


def fundamentals_in_use(organisation: Organisation) -> QuerySet[Fundamental]:
    return Fundamental.objects.filter(organisation=organisation, retired_at__isnull=True)


def fundamentals_catalogue(*, actor: Membership) -> QuerySet[Fundamental]:
    return (
        fundamental_policy.scope(actor)
        .annotate(times_seen=Count("sessions", filter=Q(sessions__withdrawn_at__isnull=True)))
        .order_by(F("retired_at").asc(nulls_first=True), "position", "pk")
    )


def sessions_visible_to(actor: Membership) -> QuerySet[Session]:
    return session_policy.scope(actor)


@dataclass(frozen=True)
class TimelineFilter:
    partner_id: int | None = None
    fundamental_id: int | None = None
    since: date | None = None
    until: date | None = None
    new_only: bool = False


def learner_timeline(*, actor: Membership, learner: Learner, filters: TimelineFilter = TimelineFilter()):
    """The person's sessions that count, newest first, with what the timeline's cards show. Whether the actor
    sees the person is the scope's answer (kept for the request when the page asked it already), so the reads
    are of this person's sessions alone, not checked against a list of everyone the actor can see."""
    if actor is None or not learner_policy.in_scope(actor, learner):
        return Session.objects.none()
    sessions = Session.objects.filter(learner=learner)
    if filters.partner_id:
        sessions = sessions.filter(partners__id=filters.partner_id)
    if filters.fundamental_id:
        sessions = sessions.filter(fundamentals__id=filters.fundamental_id)
    if filters.since:
        sessions = sessions.filter(started_at__gte=_start_of(filters.since))
    if filters.until:
        sessions = sessions.filter(started_at__lt=_start_of(filters.until + timedelta(days=1)))
    if filters.new_only:
        sessions = sessions.filter(behaviours__is_first=True).distinct()
    return (
        sessions.prefetch_related(
            "partners",
            "fundamentals",
            # The card shows only the real firsts (stored flags, read through their partial index).
            Prefetch(
                "behaviours", queryset=ObservedBehaviour.objects.filter(is_first=True).order_by("pk"), to_attr="firsts"
            ),
        )
        # The card says it was changed; a subquery per shown row, not a count over every session of the person.
        .annotate(was_corrected=Exists(Correction.objects.filter(session=OuterRef("pk"))))
        .order_by("-started_at", "-pk")
    )


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_session_counts(*, learner: Learner, weeks: int = 12, today: date | None = None) -> list[dict]:
    """Sessions in each of the last `weeks` weeks (Monday to Sunday), oldest first, with the target.

    Each session is put in its week by comparing its time with each week's start (local midnight on Monday,
    worked out once), not by turning every session's time into a local date."""
    today = today or timezone.localdate()
    first_week = week_start(today) - timedelta(weeks=weeks - 1)
    mondays = [first_week + timedelta(weeks=i) for i in range(weeks)]
    starts = [_start_of(monday) for monday in [*mondays, mondays[-1] + timedelta(weeks=1)]]
    counts = [0] * weeks
    for started_at in Session.objects.filter(
        learner=learner, started_at__gte=starts[0], started_at__lt=starts[-1]
    ).values_list("started_at", flat=True):
        counts[bisect_right(starts, started_at) - 1] += 1
    target = learner.session_target()
    return [
        {"week": monday, "count": count, "target": target, "met": count >= target}
        for monday, count in zip(mondays, counts, strict=True)
    ]


def place_suggestions(*, actor: Membership, learner: Learner | None = None, limit: int = 8) -> list[str]:
    """Places used before: this learner's recent places first, then the member's own, most used first."""
    places: list[str] = []
    sources = []
    if learner is not None:
        sources.append(Session.objects.filter(learner=learner))
    sources.append(Session.objects.filter(recorded_by_id=actor.user_id, learner__organisation_id=actor.organisation_id))
    for source in sources:
        recent = source.exclude(place="").order_by("-started_at").values_list("place", flat=True)[:200]
        tally: dict[str, int] = {}
        for place in recent:
            tally[place] = tally.get(place, 0) + 1
        for place, _ in sorted(tally.items(), key=lambda item: -item[1]):
            if place not in places:
                places.append(place)
    return places[:limit]


def behaviour_suggestions(*, learner: Learner, limit: int = 30) -> list[str]:
    recent = (
        ObservedBehaviour.objects.filter(session__learner=learner, session__withdrawn_at__isnull=True)
        .order_by("-session__started_at")
        .values_list("description", flat=True)[:300]
    )
    return list(dict.fromkeys(recent))[:limit]


def partners_to_offer(
    *, actor: Membership, learner: Learner, chosen=(), search: str = "", recent: int = 20, found: int = 10
) -> list:
    """The members of staff a partner picker offers for this person: who works with them now, who partnered them in
    their latest `recent` sessions, the member logging, anyone already chosen, and, when the member looked for
    someone else by name or email, up to `found` of the organisation's staff who match. Never the whole staff list,
    so the picker does not grow with the organisation (any member of staff is still accepted when posted)."""
    today = timezone.localdate()
    working_with = Assignment.objects.filter(
        Q(starts_on__isnull=True) | Q(starts_on__lte=today),
        Q(ends_on__isnull=True) | Q(ends_on__gte=today),
        learner=learner,
    ).values("user_id")
    latest = Session.objects.filter(learner=learner).order_by("-started_at").values("pk")[:recent]
    recent_partners = Session.partners.through.objects.filter(session__in=latest).values("user_id")
    chosen_ids = {int(pk) for pk in chosen if str(pk).isdigit()}
    staff = staff_of(learner.organisation)
    people = list(
        staff.filter(Q(pk=actor.user_id) | Q(pk__in=chosen_ids) | Q(pk__in=working_with) | Q(pk__in=recent_partners))
    )
    search = search.strip()
    if search:
        matching = staff.filter(
            Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
            | Q(display_name__icontains=search)
            | Q(email__iexact=search)
        ).exclude(pk__in=[person.pk for person in people])
        people += list(matching[:found])
    return people


def active_outcomes(*, learner: Learner) -> QuerySet[PlanOutcome]:
    return PlanOutcome.objects.filter(plan__learner=learner, plan__is_active=True, is_active=True).select_related(
        "plan"
    )


def new_behaviour_moments(*, actor: Membership, learner: Learner, limit: int = 5) -> QuerySet[ObservedBehaviour]:
    """The latest real firsts: each behaviour once, at its earliest record (see practice.novelty).

    Read newest first through the index of the person's sessions that count and hold a first (`has_new_behaviour`,
    kept with `is_first` by practice.novelty), so the database reads the few shown however long the history.
    Whether the actor sees the person is the scope's answer, kept for the request when the page asked it already."""
    if actor is None or not learner_policy.in_scope(actor, learner):
        return ObservedBehaviour.objects.none()
    return (
        ObservedBehaviour.objects.filter(
            is_first=True,
            session__learner=learner,
            session__withdrawn_at__isnull=True,
            session__has_new_behaviour=True,
        )
        .select_related("session")
        .order_by("-session__started_at")[:limit]
    )


def scales_of(organisation: Organisation) -> QuerySet[ProgressScale]:
    return ProgressScale.objects.filter(organisation=organisation).prefetch_related("levels")


def current_scale(organisation: Organisation) -> ProgressScale | None:
    return organisation.progress_scale or scales_of(organisation).filter(preset="default").first()


def reviews_of(*, actor: Membership, learner: Learner) -> QuerySet[ProgressReview]:
    return (
        review_policy.scope(actor)
        .filter(learner=learner)
        .select_related("scale", "reviewer")
        .prefetch_related(
            Prefetch(
                "ratings",
                queryset=ReviewRating.objects.select_related("fundamental", "level").prefetch_related("evidence"),
            ),
            "outcomes",
        )
    )


def rated_items(*, scale: ProgressScale, organisation: Organisation) -> list[dict]:
    """What a review on this scale rates: the Fundamentals in use, or the Engagement Model's areas."""
    if scale.rates == Rates.ENGAGEMENT_AREAS:
        return [
            {"key": f"area:{code}", "name": name, "area": code, "fundamental": None} for code, name in ENGAGEMENT_AREAS
        ]
    return [
        {"key": f"fundamental:{f.pk}", "name": f.name, "area": "", "fundamental": f}
        for f in fundamentals_in_use(organisation)
    ]


def progress_series(*, actor: Membership, learner: Learner, scale: ProgressScale) -> list[dict]:
    """For each rated item, its level at each review on this scale, oldest first (for the charts)."""
    ratings = (
        ReviewRating.objects.filter(review__in=reviews_of(actor=actor, learner=learner).filter(scale=scale))
        .select_related("review", "level", "fundamental")
        .order_by("review__reviewed_on", "review__pk")
    )
    items = {
        item["key"]: {**item, "points": []} for item in rated_items(scale=scale, organisation=learner.organisation)
    }
    for rating in ratings:
        key = f"fundamental:{rating.fundamental_id}" if rating.fundamental_id else f"area:{rating.area}"
        if key not in items:  # a Fundamental retired since: keep its history visible
            items[key] = {
                "key": key,
                "name": str(rating.fundamental),
                "area": "",
                "fundamental": rating.fundamental,
                "points": [],
            }
        items[key]["points"].append(
            {
                "date": rating.review.reviewed_on,
                "position": rating.level.position,
                "label": rating.level.label,
                "review_id": rating.review_id,
            }
        )
    return list(items.values())


def evidence_candidates(*, actor: Membership, learner: Learner, since: date | None = None) -> QuerySet[Session]:
    sessions = sessions_visible_to(actor).filter(learner=learner)
    if since:
        sessions = sessions.filter(started_at__gte=_start_of(since))
    return sessions.prefetch_related("fundamentals").order_by("-started_at")[:60]


def recent_sessions_by(*, actor: Membership, limit: int = 5) -> QuerySet[Session]:
    # Each of the actor's latest sessions is checked against the scope by its person, so the database stops at
    # `limit` instead of listing everyone the actor can see first.
    visible = learners_visible_to(actor).filter(pk=OuterRef("learner_id"))
    return (
        Session.objects.filter(Exists(visible), recorded_by_id=actor.user_id)
        .select_related("learner")
        .order_by("-started_at")[:limit]
    )


def sessions_per_learner_since(*, learners, since: date) -> dict[int, int]:
    return dict(
        Session.objects.filter(learner__in=[learner.pk for learner in learners], started_at__gte=_start_of(since))
        .values("learner_id")
        .annotate(n=Count("pk"))
        .values_list("learner_id", "n")
    )


def fundamentals_seen(*, actor: Membership, learner: Learner, since: date) -> list[dict]:
    """How many of the learner's sessions since `since` each Fundamental was seen in, most seen first."""
    sessions = sessions_visible_to(actor).filter(learner=learner, started_at__gte=_start_of(since))
    counts = dict(
        Session.fundamentals.through.objects.filter(session__in=sessions.values("pk"))
        .values("fundamental_id")
        .annotate(n=Count("pk"))
        .values_list("fundamental_id", "n")
    )
    total = sessions.count()
    shown = Fundamental.objects.filter(organisation_id=learner.organisation_id).filter(
        Q(retired_at__isnull=True) | Q(pk__in=list(counts))
    )
    rows = [{"name": f.name, "count": counts.get(f.pk, 0), "sessions": total, "retired": f.is_retired} for f in shown]
    return sorted(rows, key=lambda row: -row["count"])


def learners_furthest_from_target(*, actor: Membership, since: date, limit: int = 12) -> list[Learner]:
    """The people with the biggest gap between this week's sessions and their weekly target, biggest first; each
    with `this_week`, their sessions since `since`.

    Each person's sessions this week are counted by a step down the index of their sessions that count, and the
    database keeps only the `limit` biggest gaps as it goes, instead of joining every person's week and grouping
    the rows by every column of the person."""
    from django.db.models.functions import Coalesce

    this_week = (
        Session.objects.filter(learner_id=OuterRef("pk"), started_at__gte=_start_of(since))
        .order_by()
        .values("learner_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    learners = (
        learners_visible_to(actor)
        .filter(is_active=True)
        .select_related("organisation")
        .annotate(
            gap=Coalesce(F("weekly_session_target"), F("organisation__weekly_session_target"))
            - Coalesce(Subquery(this_week), 0)
        )
        .order_by("-gap", "first_name", "last_name")
    )
    people = list(learners[:limit])
    for person in people:
        person.this_week = person.session_target() - person.gap
    return people


# --- The family portal: only what a family should see, in plain words -----------------------------------

ENJOYMENT_WORDS = {1: "did not enjoy it much", 2: "enjoyed it a bit", 3: "really enjoyed it"}


def family_session_summaries(*, actor: Membership, learner: Learner, limit: int = 15) -> list[dict]:
    """Recent sessions as a family sees them. Built field by field, so the practitioner's own reflections
    ("how I did", "next time") and the reason a partner ended a session can never reach the page."""
    sessions = (
        sessions_visible_to(actor)
        .filter(learner=learner)
        .prefetch_related("partners", "fundamentals", "behaviours")
        .order_by("-started_at", "-pk")[:limit]
    )
    sessions = list(sessions)
    attach_media(actor, sessions)  # photos and clips, only while sharing with family and video are both agreed
    return [
        {
            "when": session.started_at,
            "minutes": session.minutes,
            "place": session.place,
            "with": [partner.first_name or partner.short_name for partner in session.partners.all()],
            "enjoyment": ENJOYMENT_WORDS.get(session.enjoyment, ""),
            "fundamentals": [f.name for f in session.fundamentals.all()],
            "new_things": [b.description for b in session.behaviours.all() if b.is_first],
            "what_happened": session.what_happened,
            "significant_moment": session.significant_moment,
            "media": session.shown_media,
        }
        for session in sessions
    ]


def family_progress(*, actor: Membership, learner: Learner) -> dict | None:
    """The latest progress review on the organisation's own scale, as plain sentences."""
    scale = current_scale(learner.organisation)
    review = reviews_of(actor=actor, learner=learner).filter(scale=scale).first() if scale else None
    if review is None:
        return None
    return {
        "reviewed_on": review.reviewed_on,
        "items": [
            {
                "name": str(rating.fundamental) if rating.fundamental_id else rating.area.title(),
                "level": rating.level.label,
                "meaning": rating.level.description,
            }
            for rating in review.ratings.all()
        ],
    }


def home_observations_of(*, actor: Membership, learner: Learner, limit: int = 5) -> QuerySet:
    from .models import HomeObservation

    # Whether the actor sees the person: the scope's answer, kept for the request when the page asked it already.
    if actor is None or not learner_policy.in_scope(actor, learner):
        return HomeObservation.objects.none()
    return (
        HomeObservation.objects.filter(learner=learner).select_related("author").order_by("-observed_on", "-pk")[:limit]
    )


# --- Corrections ----------------------------------------------------------------------------------------------


def _with_withdrawn(actor: Membership, model):
    """Withdrawn records are left out for everyone but those who may correct any record (see policies)."""
    from .policies import may_see_withdrawn

    return model.every_record if may_see_withdrawn(actor) else model.objects


def session_on_page(*, actor: Membership, learner: Learner, session_id: int) -> Session:
    """One session of a person the actor sees, with what its page shows; raises Session.DoesNotExist (404).
    A withdrawn session is found only by those who may correct any record, so they can read why."""
    return (
        _with_withdrawn(actor, Session)
        .filter(learner=learner, learner__in=learners_visible_to(actor).values("pk"))
        .select_related("recorded_by", "withdrawn_by", "learner__organisation")
        .prefetch_related(
            "partners",
            "fundamentals",
            "outcomes",
            Prefetch("behaviours", queryset=ObservedBehaviour.objects.order_by("pk")),
        )
        .get(pk=session_id)
    )


def review_on_page(*, actor: Membership, learner: Learner, review_id: int) -> ProgressReview:
    return (
        _with_withdrawn(actor, ProgressReview)
        .filter(learner=learner, learner__in=learners_visible_to(actor).values("pk"))
        .select_related("scale", "reviewer", "withdrawn_by", "learner__organisation")
        .prefetch_related(
            Prefetch(
                "ratings",
                queryset=ReviewRating.objects.select_related("fundamental", "level").prefetch_related("evidence"),
            ),
            "outcomes",
        )
        .get(pk=review_id)
    )


def people_to_log_for(*, actor: Membership, current: Learner) -> QuerySet[Learner]:
    """Whom a session may be moved to when it was logged for the wrong person: the people the actor logs
    sessions for (and the one it is logged for now)."""
    return learners_visible_to(actor).filter(Q(is_active=True) | Q(pk=current.pk)).order_by("first_name", "last_name")


def record_history(record) -> list:
    from .corrections import history

    return history(record)


def learners_recent_first(*, actor: Membership, limit: int | None = None, group_id: int | None = None) -> list[Learner]:
    """Learners the actor may record for (of one class or group, when given), those they logged sessions with most
    recently first.

    Each person's latest session by the actor is one step down the (recorded_by, learner, -started_at) index,
    so the cost does not grow with how many sessions the actor has recorded."""
    last_logged = (
        Session.objects.filter(recorded_by_id=actor.user_id, learner_id=OuterRef("pk"))
        .order_by("-started_at")
        .values("started_at")[:1]
    )
    learners = learners_visible_to(actor).filter(is_active=True)
    if group_id is not None:
        learners = learners.filter(group_id=group_id)
    learners = (
        learners.select_related("organisation")  # each person's weekly target falls back to the organisation's
        .annotate(last_logged=Subquery(last_logged))
        .order_by(F("last_logged").desc(nulls_last=True), "first_name", "last_name", "pk")
    )
    return list(learners[:limit] if limit else learners)


# --- Reads behind the correction pages and their forms ----------------------------------------------------------
# Each answers about a person (or a record) the page has already fetched through the scope, unless it says not.


def all_fundamentals_of(organisation: Organisation) -> QuerySet[Fundamental]:
    """Every Fundamental of the organisation, retired ones too: a form accepts them so the service can explain,
    in words, why a retired one cannot be used (the organisation is the actor's own)."""
    return Fundamental.objects.filter(organisation=organisation)


def record_to_correct(model, *, learner: Learner, record_id: int):
    """A session or review (`model`) of `learner`, already fetched through the scope, with its organisation;
    raises `model.DoesNotExist` if there is none or it is withdrawn."""
    return model.objects.select_related("learner__organisation").get(learner=learner, pk=record_id)


def record_was_withdrawn(model, *, learner: Learner, record_id: int) -> bool:
    """Whether `learner` (already fetched through the scope) has this record at all, withdrawn or not: asked
    after `record_to_correct` found none, so true means it was withdrawn."""
    return model.every_record.filter(learner=learner, pk=record_id).exists()


def withdrawn_record(model, *, learner: Learner, record_id: int):
    """The withdrawn session or review of `learner` (already fetched through the scope), or None."""
    return model.every_record.filter(learner=learner, pk=record_id, withdrawn_at__isnull=False).first()


def record_for_refusal(model, *, learner_id: int, record_id: int):
    """A current session or review by its person's id and its own, with its organisation, or None. Not scoped:
    read only to work out a refusal, and the caller asks the learner policy about `record.learner` (or only
    asks `correction_refusal`) before anything about the record is shown."""
    return model.objects.filter(pk=record_id, learner_id=learner_id).select_related("learner__organisation").first()


def record_as_saved(record):
    """The session or review (already fetched through the scope) as it is saved now, withdrawn or not: read
    again after someone else changed it while the form was open."""
    return type(record).every_record.get(pk=record.pk)


def outcomes_to_offer(*, learner: Learner, record) -> QuerySet[PlanOutcome]:
    """The plan outcomes a corrected session or review may be evidence for: `learner`'s active ones (the
    person already fetched through the scope), and any the record is already evidence for."""
    return PlanOutcome.objects.filter(
        Q(pk__in=active_outcomes(learner=learner).values("pk")) | Q(pk__in=record.outcomes.all())
    ).select_related("plan")


def evidence_to_offer(*, learner: Learner, since: date, until: date, kept, limit: int = 60) -> list[Session]:
    """The sessions a corrected review may cite: `learner`'s (already fetched through the scope) from `since` to
    `until`, and those already chosen (`kept`), newest first, at most `limit`."""
    return list(
        Session.objects.filter(learner=learner)
        .filter(Q(started_at__date__gte=since, started_at__date__lte=until) | Q(pk__in=kept))
        .prefetch_related("fundamentals")
        .order_by("-started_at")[:limit]
    )


def partners_for_correction(*, staff, session: Session):
    """Whom a corrected session may name as partners: `staff` (the organisation's staff today) and anyone
    already on the session (a partner who has left since stays on it), by name."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(Q(pk__in=staff.values("pk")) | Q(pk__in=session.partners.values("pk")))
        .order_by("first_name", "last_name")
    )


def seen_before_hints(*, learner: Learner, editing: Session | None = None) -> dict[str, str]:
    """`learner`'s recorded behaviours (the person already fetched through the scope) for the quick log's live
    "Seen before" hint; when correcting a session, its own behaviours are left out. One query."""
    return history_of(learner, leave_out_session_id=getattr(editing, "pk", None)).hints()


# --- What the quick log fills in or offers first -----------------------------------------------------------------
# Each answers about a person the page has already fetched through the scope. Withdrawn sessions and reviews never
# count: they are read through `objects`, which leaves them out.

USUAL_FROM_LAST = 10  # a person's usual length is the middle of their last this many sessions
ORGANISATION_USUAL_DAYS = 90  # with no sessions yet, the organisation's sessions of this many days…
ORGANISATION_USUAL_FROM_LAST = 200  # …at most this many of the latest
STARTING_MINUTES = 10  # when nobody in the organisation has logged a session lately


@dataclass(frozen=True)
class UsualLength:
    """The length the quick log preselects, and where it comes from: "person" (the middle of their last
    `sessions` sessions), "organisation" (of the organisation's latest) or "starting" (nothing to go on)."""

    minutes: int
    source: str
    sessions: int = 0


@dataclass(frozen=True)
class LastTime:
    """The person's previous session: when it started, and the Fundamentals seen in it that are still in use."""

    started_at: datetime
    fundamentals: list[Fundamental]


@dataclass(frozen=True)
class WorkingOn:
    """The Fundamentals a person is working on, in the organisation's order, from the review of `reviewed_on`."""

    reviewed_on: date
    fundamental_ids: list[int]


@dataclass(frozen=True)
class QuickLogSuggestions:
    usual: UsualLength
    last_time: LastTime | None
    working_on: WorkingOn | None


def middle_length(lengths) -> int:
    """The middle of some session lengths (their median). With an even number of them, the shorter of the two in the
    middle, so the answer is always a length that was really used (10 and 15 give 10, not 12.5)."""
    return median_low(lengths)


def usual_minutes(*, learner: Learner) -> UsualLength:
    """How long a session with this person usually lasts: the middle of their last `USUAL_FROM_LAST` sessions; with
    none, the middle of the organisation's latest; with none of those either, `STARTING_MINUTES`."""
    own = list(
        Session.objects.filter(learner=learner)
        .order_by("-started_at", "-pk")
        .values_list("minutes", flat=True)[:USUAL_FROM_LAST]
    )
    if own:
        return UsualLength(middle_length(own), "person", len(own))
    return _organisation_usual(learner)


def _organisation_usual(learner: Learner) -> UsualLength:
    since = timezone.now() - timedelta(days=ORGANISATION_USUAL_DAYS)
    theirs = list(
        Session.objects.filter(learner__organisation_id=learner.organisation_id, started_at__gte=since)
        .order_by("-started_at")
        .values_list("minutes", flat=True)[:ORGANISATION_USUAL_FROM_LAST]
    )
    if theirs:
        return UsualLength(middle_length(theirs), "organisation", len(theirs))
    return UsualLength(STARTING_MINUTES, "starting", 0)


def last_time(*, learner: Learner) -> LastTime | None:
    """The person's previous session (the latest to start, by anyone) and its Fundamentals still in use, or None when
    nothing has been logged with them yet."""
    latest = Session.objects.filter(learner=learner).order_by("-started_at", "-pk").only("pk", "started_at").first()
    return None if latest is None else _last_time_of(latest.pk, latest.started_at)


def _last_time_of(session_id: int, started_at: datetime) -> LastTime:
    fundamentals = Fundamental.objects.filter(sessions=session_id, retired_at__isnull=True).order_by("position", "pk")
    return LastTime(started_at=started_at, fundamentals=list(fundamentals))


def fundamentals_working_on(*, learner: Learner) -> WorkingOn | None:
    """What the person is working on, from their latest progress review that rates Fundamentals: those rated as seen
    but not yet established, that is above the lowest level of its scale and in its lower half (on the usual scale:
    "Emerging"; on the seven engagement levels: "Awareness" to "Engagement"), still in use, in the organisation's
    order. None when no review rates any Fundamental."""
    review = (
        ProgressReview.objects.filter(learner=learner, ratings__fundamental__isnull=False)
        .order_by("-reviewed_on", "-pk")
        .values("pk", "reviewed_on", "scale_id")
        .first()
    )
    if review is None:
        return None
    lowest, highest = _level_bounds(review["scale_id"])
    ids = (
        ReviewRating.objects.filter(
            review_id=review["pk"],
            fundamental__retired_at__isnull=True,
            level__position__gt=lowest,
            level__position__lte=lowest + (highest - lowest) // 2,
        )
        .order_by("fundamental__position", "fundamental_id")
        .values_list("fundamental_id", flat=True)
    )
    return WorkingOn(reviewed_on=review["reviewed_on"], fundamental_ids=list(ids))


def _level_bounds(scale_id: int) -> tuple[int, int]:
    bounds = ScaleLevel.objects.filter(scale_id=scale_id).aggregate(lowest=Min("position"), highest=Max("position"))
    return bounds["lowest"] or 0, bounds["highest"] or 0


def quick_log_suggestions(*, learner: Learner) -> QuickLogSuggestions:
    """Everything the quick log preselects or offers first for this person. Their last sessions are read once: the
    latest gives "last time", all of them the usual length."""
    latest = list(
        Session.objects.filter(learner=learner)
        .order_by("-started_at", "-pk")
        .values_list("pk", "started_at", "minutes")[:USUAL_FROM_LAST]
    )
    if latest:
        usual = UsualLength(middle_length([minutes for _, _, minutes in latest]), "person", len(latest))
        previous = _last_time_of(latest[0][0], latest[0][1])
    else:
        usual, previous = _organisation_usual(learner), None
    return QuickLogSuggestions(usual=usual, last_time=previous, working_on=fundamentals_working_on(learner=learner))


# --- Pages kept on a tablet for use with no connection ------------------------------------------------------------

OFFLINE_RECENT_WEEKS = 8


def learners_kept_offline(*, actor: Membership, limit: int) -> tuple[list[Learner], bool]:
    """The people whose pages a member's tablet keeps for use with no connection, and whether there were more
    than `limit` of them (the rest are left off).

    Only active people in the member's scope, the same scope every page about a person checks. A member who sees
    only the people assigned to them keeps all of them; a member who sees the whole organisation keeps only the
    people they are assigned to or logged a session with in the last OFFLINE_RECENT_WEEKS weeks, never everyone.
    Those they logged most recently come first, then by name."""
    people = learners_visible_to(actor).filter(is_active=True)
    if sees_whole_organisation(actor):
        # Found from the member's own assignments and sessions (each through its index), not by looking at
        # everyone in the organisation: the cost stays with what the member did, however large the organisation.
        today = timezone.localdate()
        assigned = Assignment.objects.filter(user_id=actor.user_id).filter(
            Q(starts_on__isnull=True) | Q(starts_on__lte=today), Q(ends_on__isnull=True) | Q(ends_on__gte=today)
        )
        logged = Session.objects.filter(
            recorded_by_id=actor.user_id, started_at__gte=_start_of(today - timedelta(weeks=OFFLINE_RECENT_WEEKS))
        )
        people = people.filter(Q(pk__in=assigned.values("learner_id")) | Q(pk__in=logged.values("learner_id")))
    last_logged = (
        Session.objects.filter(recorded_by_id=actor.user_id, learner_id=OuterRef("pk"))
        .order_by("-started_at")
        .values("started_at")[:1]
    )
    people = people.annotate(last_logged=Subquery(last_logged)).order_by(
        F("last_logged").desc(nulls_last=True), "first_name", "last_name", "pk"
    )
    found = list(people[: limit + 1])
    return found[:limit], len(found) > limit


def saved_with_key(*, user_id: int, submission_key: str) -> bool:
    """Whether this user already saved a session or a note from home with this form's submission key, withdrawn
    ones included. Not scoped to the people the user sees now: it answers only about their own saves, and only
    whether one exists, so a save sent again after their link to the person ended is known as already saved."""
    from .models import HomeObservation

    try:
        key = uuid.UUID(str(submission_key))
    except ValueError:
        return False
    return any(
        model._base_manager.filter(submission_key=key, **{owner: user_id}).exists()
        for model, owner in ((Session, "recorded_by_id"), (HomeObservation, "author_id"))
    )

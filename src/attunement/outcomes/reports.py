"""What each audience's report says, as plain data. One function per report; each reads only through
selectors scoped to the acting member, and the same data feeds the web page and the PDF."""

from collections import Counter

from attunement.learners.models import Learner
from attunement.organisations.models import Membership, Setting
from attunement.practice.models import ObservedBehaviour, ProgressReview, ReviewRating
from attunement.practice.selectors import active_outcomes, current_scale, reviews_of, sessions_visible_to

from .periods import Period

ENJOYMENT = {3: "Lots", 2: "Some", 1: "Not much"}


def _sessions(actor: Membership, learner: Learner, period: Period):
    return sessions_visible_to(actor).filter(learner=learner, started_at__gte=period.start, started_at__lt=period.end)


def best_moments(actor: Membership, learner: Learner, period: Period, limit: int = 8) -> list[dict]:
    """Things seen for the first time, and the moments staff marked as significant, newest first."""
    sessions = _sessions(actor, learner, period)
    firsts = [
        {"when": b.session.started_at, "text": b.description, "kind": "first time"}
        for b in ObservedBehaviour.objects.filter(session__in=sessions, novelty="new").select_related("session")
    ]
    moments = [
        {"when": s.started_at, "text": s.significant_moment, "kind": "special moment"}
        for s in sessions.exclude(significant_moment="").only("started_at", "significant_moment")
    ]
    return sorted(firsts + moments, key=lambda m: m["when"], reverse=True)[:limit]


def progress_changes(actor: Membership, learner: Learner, period: Period) -> list[dict]:
    """For each item rated in the period on the organisation's scale: its first and latest level."""
    scale = current_scale(learner.organisation)
    if scale is None:
        return []
    reviews = reviews_of(actor=actor, learner=learner).filter(
        scale=scale, reviewed_on__gte=period.since, reviewed_on__lte=period.until
    )
    ratings = (
        ReviewRating.objects.filter(review__in=reviews)
        .select_related("review", "level", "fundamental")
        .order_by("review__reviewed_on", "review__pk")
    )
    first: dict[str, ReviewRating] = {}
    last: dict[str, ReviewRating] = {}
    for rating in ratings:
        key = str(rating.fundamental) if rating.fundamental_id else rating.area.title()
        first.setdefault(key, rating)
        last[key] = rating
    changes = []
    for key, start in first.items():
        end = last[key]
        step = end.level.position - start.level.position
        changes.append(
            {
                "name": key,
                "from": start.level.label,
                "to": end.level.label,
                "direction": "up" if step > 0 else ("down" if step < 0 else "same"),
            }
        )
    return sorted(changes, key=lambda c: ({"up": 0, "same": 1, "down": 2}[c["direction"]], c["name"]))


def person_story(*, actor: Membership, learner: Learner, period: Period) -> dict:
    """The person's own year: for the person themselves, and for their family."""
    sessions = list(_sessions(actor, learner, period).prefetch_related("fundamentals"))
    enjoyment = Counter(s.enjoyment for s in sessions if s.enjoyment)
    places = Counter(s.place for s in sessions if s.place)
    fundamentals = Counter(f.name for s in sessions for f in s.fundamentals.all())
    return {
        "learner": learner,
        "period": period,
        "sessions": len(sessions),
        "minutes": sum(s.minutes for s in sessions),
        "enjoyment": [
            {"level": level, "label": ENJOYMENT[level], "count": enjoyment.get(level, 0)} for level in (3, 2, 1)
        ],
        "favourite_places": [place for place, _ in places.most_common(3)],
        "most_practised": [name for name, _ in fundamentals.most_common(5)],
        "best_moments": best_moments(actor, learner, period),
        "progress": progress_changes(actor, learner, period),
    }


def evidence_pack(*, actor: Membership, learner: Learner, period: Period) -> dict:
    """For an EHCP annual review (or a care plan or PBS review): the evidence for each plan outcome."""
    sessions = _sessions(actor, learner, period)
    outcomes = []
    for outcome in active_outcomes(learner=learner):
        linked = sessions.filter(outcomes=outcome).prefetch_related("behaviours").order_by("started_at")
        reviews = ProgressReview.objects.filter(
            learner=learner, outcomes=outcome, reviewed_on__gte=period.since, reviewed_on__lte=period.until
        ).order_by("reviewed_on")
        outcomes.append(
            {
                "outcome": outcome,
                "sessions": [
                    {
                        "when": s.started_at,
                        "minutes": s.minutes,
                        "what_happened": s.what_happened,
                        "firsts": [b.description for b in s.behaviours.all() if b.novelty == "new"],
                    }
                    for s in linked
                ],
                "reviews": list(reviews),
            }
        )
    return {
        "learner": learner,
        "period": period,
        "outcomes": outcomes,
        "unlinked_sessions": sessions.filter(outcomes__isnull=True).count(),
        "progress": progress_changes(actor, learner, period),
        "best_moments": best_moments(actor, learner, period, limit=12),
    }


OFSTED_HEADINGS = [
    "Quality of education",
    "Behaviour and attitudes",
    "Personal development",
    "Leadership and management",
]
CQC_QUESTIONS = ["Safe", "Effective", "Caring", "Responsive", "Well-led"]


def inspection_frame(organisation) -> list[str]:
    """Schools are inspected by Ofsted, adult services by the CQC: the pack follows the inspector's own headings."""
    return OFSTED_HEADINGS if organisation.setting == Setting.SCHOOL else CQC_QUESTIONS


def inspector_pack(*, organisation, period: Period) -> dict:
    """The organisation's anonymised evidence, under the inspector's own headings. Every figure is about the
    people who agreed to anonymised reports, and hidden when it is about fewer than 5 of them."""
    from django.db.models import Count, Q

    from attunement.practice.models import Session

    from .selectors import counted_people, organisation_summary
    from .suppression import shown

    summary = organisation_summary(organisation=organisation, period=period, today=period.until)
    people = counted_people(organisation, period.until)
    enough = summary["enough_people"]
    sessions = Session.objects.filter(learner__in=people, started_at__gte=period.start, started_at__lt=period.end)
    tally = sessions.aggregate(
        total=Count("pk"),
        lots=Count("pk", filter=Q(enjoyment=3)),
        had_enough=Count("pk", filter=Q(ending="had_enough")),
        in_moment=Count("pk", filter=Q(planned=False)),
    )

    def share(part: str):
        return round(100 * tally[part] / tally["total"]) if enough and tally["total"] else None

    figures = {
        "people": ("People counted", summary["people"]),
        "sessions": ("Sessions recorded", summary["sessions_total"]),
        "per_week": ("Sessions per person each week, on average", summary["sessions_per_person_week"]),
        "target": ("People who met their weekly target", summary["target_rows"]["met"] if enough else None),
        "new": ("People with something seen for the first time", summary["with_new"]),
        "lots": ("Sessions the person enjoyed a lot (%)", share("lots")),
        "had_enough": (
            "Sessions ended because the person had had enough — following their lead (%)",
            share("had_enough"),
        ),
        "in_moment": ("Sessions caught in the moment, not planned (%)", share("in_moment")),
        "holds": (
            "People whose records are under a legal hold",
            shown(people.filter(legal_holds__isnull=False, legal_holds__lifted_at__isnull=True).distinct().count())
            if enough
            else None,
        ),
    }
    by_heading = {
        "Quality of education": ["people", "sessions", "per_week", "target"],
        "Behaviour and attitudes": ["lots", "had_enough"],
        "Personal development": ["new"],
        "Leadership and management": ["target", "holds"],
        "Safe": ["holds", "had_enough"],
        "Effective": ["people", "sessions", "new"],
        "Caring": ["lots", "had_enough"],
        "Responsive": ["per_week", "in_moment", "target"],
        "Well-led": ["target"],
    }
    return {
        "organisation": organisation,
        "period": period,
        "summary": summary,
        "sections": [
            {"heading": heading, "figures": [figures[key] for key in by_heading[heading]]}
            for heading in inspection_frame(organisation)
        ],
    }

"""What each audience's report says, as plain data. One function per report; each reads only through
selectors scoped to the acting member, and the same data feeds the web page and the PDF."""

from collections import Counter
from datetime import timedelta

from attunement.learners.models import Learner
from attunement.organisations.models import Membership, Setting
from attunement.practice.models import ObservedBehaviour, ProgressReview, ReviewRating
from attunement.practice.novelty import first_behaviour_ids
from attunement.practice.selectors import active_outcomes, current_scale, reviews_of, sessions_visible_to

from .periods import Period

ENJOYMENT = {3: "Lots", 2: "Some", 1: "Not much"}


def _sessions(actor: Membership, learner: Learner, period: Period):
    return sessions_visible_to(actor).filter(learner=learner, started_at__gte=period.start, started_at__lt=period.end)


def best_moments(actor: Membership, learner: Learner, period: Period, limit: int = 8) -> list[dict]:
    """Things seen for the first time, and the moments staff marked as significant, newest first."""
    sessions = _sessions(actor, learner, period)
    firsts = [
        {"when": b.session.started_at, "text": b.description, "kind": "first time", "source": f"behaviour:{b.pk}"}
        for b in ObservedBehaviour.objects.filter(
            session__in=sessions, novelty="new", pk__in=first_behaviour_ids([learner.pk])
        ).select_related("session")
    ]
    moments = [
        {"when": s.started_at, "text": s.significant_moment, "kind": "special moment", "source": f"session:{s.pk}"}
        for s in sessions.exclude(significant_moment="").only("pk", "started_at", "significant_moment")
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


def _means_figures(organisation, period: Period) -> dict:
    """The practice that produces the ends, as counts about staff (hidden below 5 staff)."""
    from attunement.means.models import Course, SupervisionMeeting, TrainingCompletion
    from attunement.organisations.models import Membership
    from attunement.organisations.policies import STAFF_ROLES

    from .suppression import shown

    staff = Membership.objects.filter(organisation=organisation, is_active=True, role__in=STAFF_ROLES)
    n_staff = staff.count()
    # Trained: has done every course the organisation marks as required of all staff (induction by default),
    # whatever the courses are called.
    required = set(
        Course.objects.filter(organisation=organisation, required=True, retired_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    done: dict[int, set[int]] = {}
    for staff_id, course_id in TrainingCompletion.objects.filter(staff__in=staff, course_id__in=required).values_list(
        "staff_id", "course_id"
    ):
        done.setdefault(staff_id, set()).add(course_id)
    trained = sum(1 for courses in done.values() if courses >= required) if required else 0
    meetings = SupervisionMeeting.objects.filter(
        organisation=organisation, met_on__gte=period.since, met_on__lte=period.until
    ).count()
    return {
        "staff": ("Staff who practise Intensive Interaction", shown(n_staff)),
        "inducted": ("Staff who have done all the required training", shown(trained) if n_staff >= 5 else None),
        "meetings": ("Supervision, mentoring and video-reflection meetings", meetings if n_staff >= 5 else None),
    }


def _family_figures(people, period: Period) -> tuple[dict, list[str]]:
    """Families' answers, averaged per question over families (each family once, their latest answer), and
    the comments they agreed may be quoted without names. Hidden below 5 families."""
    from attunement.practice.models import FAMILY_FEEDBACK_QUESTIONS, FamilyFeedback

    from .suppression import mean_if_enough, shown

    latest: dict[int, FamilyFeedback] = {}
    for feedback in FamilyFeedback.objects.filter(
        learner__in=people, given_on__gte=period.since, given_on__lte=period.until
    ).order_by("given_on", "pk"):
        latest[feedback.learner_id] = feedback
    answers = list(latest.values())
    figures = {"families": ("Families who gave feedback", shown(len(answers)))}
    for question, statement in FAMILY_FEEDBACK_QUESTIONS:
        figures[f"family_{question}"] = (
            f"Families: “{statement}” (average, 1 to 5)",
            mean_if_enough(sum(getattr(a, question) for a in answers), len(answers)),
        )
    quotes = [a.comment for a in answers if a.may_quote and a.comment] if len(answers) >= 5 else []
    return figures, quotes[:5]


AUDIENCES = {
    "inspectors": ("Evidence for inspectors", None),
    "commissioners": (
        "For commissioners",
        {
            "Who is reached": ["people", "sessions", "hours", "per_week"],
            "What changes for them": ["moved_up", "new", "lots", "family_connected"],
            "The practice that makes it happen": ["staff", "inducted", "meetings", "target"],
        },
    ),
    "funders": (
        "For funders",
        {
            "What your support delivers": ["people", "sessions", "hours"],
            "What it achieves": ["moved_up", "new", "lots", "had_enough", "family_connected"],
            "How it is sustained": ["staff", "inducted", "meetings"],
        },
    ),
    "management": (
        "For managers and trustees",
        {
            "Fit with our values: following each person's lead": ["had_enough", "in_moment", "lots"],
            "Outcomes for the people we support": ["people", "moved_up", "new"],
            "Our staff": ["staff", "inducted", "meetings"],
            "What families tell us": [
                "families",
                "family_understand",
                "family_connected",
                "family_reassured",
                "family_enjoy",
            ],
            "Value for money": ["sessions", "hours", "per_week", "target"],
        },
    ),
}


def organisation_pack(*, organisation, period: Period, audience: str) -> dict:
    """An organisation's anonymised evidence for one audience. Every figure is about the people who agreed to
    anonymised reports (or about staff), and hidden when it is about fewer than 5 of them."""
    from django.db.models import Count, Q, Sum

    from attunement.practice.models import Session

    from .dashboard import progress_movement
    from .selectors import counted_people, organisation_summary
    from .suppression import shown

    title, layout = AUDIENCES[audience]
    summary = organisation_summary(organisation=organisation, period=period, today=period.until)
    people = counted_people(organisation, period.until)
    enough = summary["enough_people"]
    sessions = Session.objects.filter(learner__in=people, started_at__gte=period.start, started_at__lt=period.end)
    tally = sessions.aggregate(
        total=Count("pk"),
        minutes=Sum("minutes"),
        lots=Count("pk", filter=Q(enjoyment=3)),
        had_enough=Count("pk", filter=Q(ending="had_enough")),
        in_moment=Count("pk", filter=Q(planned=False)),
    )

    def share(part: str):
        return round(100 * tally[part] / tally["total"]) if enough and tally["total"] else None

    moved = progress_movement(people, period)
    figures = {
        "people": ("People counted", summary["people"]),
        "sessions": ("Sessions recorded", summary["sessions_total"]),
        "hours": ("Hours of Intensive Interaction", round((tally["minutes"] or 0) / 60) if enough else None),
        "per_week": ("Sessions per person each week, on average", summary["sessions_per_person_week"]),
        "target": ("People who met their weekly target", summary["target_rows"]["met"] if enough else None),
        "new": ("People with something seen for the first time", summary["with_new"]),
        "moved_up": ("People who moved up on their Fundamentals", shown(moved["up"]) if enough else None),
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
        **_means_figures(organisation, period),
    }
    family, quotes = _family_figures(people, period)
    figures |= family
    if layout is None:  # inspectors: their own headings
        layout = {heading: INSPECTION_FIGURES[heading] for heading in inspection_frame(organisation)}
    return {
        "title": title,
        "audience": audience,
        "organisation": organisation,
        "period": period,
        "summary": summary,
        "sections": [
            {"heading": heading, "figures": [figures[key] for key in keys]} for heading, keys in layout.items()
        ],
        # Free text never leaves the organisation: quotes appear only in the managers' and trustees' pack.
        "quotes": quotes if audience == "management" else [],
    }


INSPECTION_FIGURES = {
    "Quality of education": ["people", "sessions", "per_week", "moved_up"],
    "Behaviour and attitudes": ["lots", "had_enough"],
    "Personal development": ["new"],
    "Leadership and management": ["staff", "inducted", "meetings", "target", "holds"],
    "Safe": ["holds", "had_enough", "inducted"],
    "Effective": ["people", "sessions", "moved_up", "new"],
    "Caring": ["lots", "had_enough"],
    "Responsive": ["per_week", "in_moment", "target"],
    "Well-led": ["staff", "inducted", "meetings"],
}


def inspector_pack(*, organisation, period: Period) -> dict:
    return organisation_pack(organisation=organisation, period=period, audience="inspectors")


def my_practice(*, actor: Membership, period: Period) -> dict:
    """A practitioner's, carer's or therapist's own practice: the sessions they were partner in, what they did
    most, and how the people they work with responded. Their own, so nothing is hidden from them."""
    from attunement.practice.vocabulary import Phase, Technique

    sessions = list(
        sessions_visible_to(actor)
        .filter(partners__id=actor.user_id, started_at__gte=period.start, started_at__lt=period.end)
        .select_related("learner")
        .prefetch_related("behaviours")
        .distinct()
    )
    techniques = Counter(code for s in sessions for code in s.techniques)
    phases = Counter(code for s in sessions for code in s.phases)
    per_person: dict[int, dict] = {}
    for s in sessions:
        row = per_person.setdefault(s.learner_id, {"learner": s.learner, "sessions": 0, "lots": 0, "firsts": []})
        row["sessions"] += 1
        row["lots"] += 1 if s.enjoyment == 3 else 0
        row["firsts"] += [b.description for b in s.behaviours.all() if b.novelty == "new"]
    labels_t, labels_p = dict(Technique.choices), dict(Phase.choices)
    return {
        "actor": actor,
        "period": period,
        "sessions": len(sessions),
        "minutes": sum(s.minutes for s in sessions),
        "people": sorted(per_person.values(), key=lambda r: -r["sessions"]),
        "techniques": [(labels_t.get(code, code), n) for code, n in techniques.most_common(5)],
        "phases": [(labels_p.get(code, code), n) for code, n in phases.most_common()],
        "ended_when_they_had_enough": sum(1 for s in sessions if s.ending == "had_enough"),
    }


def case_study(*, actor: Membership, learner: Learner, period: Period) -> dict:
    """An anonymised story of one person's progress, for funding bids and training: no name, no date of birth
    (an age band and their needs instead), their best moments, progress, and the family's words if they
    agreed to be quoted. Given out only with consent to use in anonymised reports.

    No free text is shown until a co-ordinator has released it: the quoted sentences (best moments and the
    family's words) are the released ones, names replaced by roles (see `case_studies`)."""
    from .case_studies import release_for, released_sentences

    story = person_story(actor=actor, learner=learner, period=period)
    age = None
    if learner.date_of_birth:
        years = (period.until - learner.date_of_birth).days // 365
        age = f"{(years // 5) * 5} to {(years // 5) * 5 + 4}"
    release = release_for(learner=learner, period=period)
    sentences = released_sentences(actor=actor, learner=learner, release=release)
    word = learner.organisation.word[0]
    return {
        **story,
        # Free text the co-ordinator has not released never reaches the case study.
        "best_moments": [s for s in sentences if s["kind"] != "family"],
        "quotes": [s["text"] for s in sentences if s["kind"] == "family"],
        "favourite_places": [],
        "release": release,
        "who": f"A {word}" + (f", aged {age}" if age else ""),
        "needs": learner.need_labels(),
    }


def carer_report(*, actor: Membership, period: Period) -> dict:
    """For a carer: their own practice, and how they have been feeling (their own answers, never anyone
    else's), because deeper relationships, confidence and less burnout are the ends for carers."""
    from attunement.means.models import SelfReport

    answers = SelfReport.objects.filter(
        staff=actor, month__gte=period.since.replace(day=1), month__lte=period.until
    ).order_by("month")
    return {**my_practice(actor=actor, period=period), "feelings": list(answers)}


def therapist_report(*, actor: Membership, period: Period) -> dict:
    """For a therapist: engagement of each person on their caseload, first half of the period against the
    second, so change (and a reduced need for referral) can be seen."""
    from attunement.learners.selectors import learners_visible_to

    middle = period.since + (period.until - period.since) / 2
    halves = (Period(since=period.since, until=middle), Period(since=middle + timedelta(days=1), until=period.until))
    caseload = []
    for learner in learners_visible_to(actor).filter(is_active=True):
        row = {"learner": learner}
        for name, half in zip(("before", "after"), halves, strict=True):
            sessions = list(_sessions(actor, learner, half).prefetch_related("behaviours"))
            rated = [s for s in sessions if s.enjoyment]
            row[name] = {
                "sessions": len(sessions),
                "enjoyed_a_lot": round(100 * sum(s.enjoyment == 3 for s in rated) / len(rated)) if rated else None,
                "firsts": sum(1 for s in sessions for b in s.behaviours.all() if b.novelty == "new"),
            }
        caseload.append(row)
    return {"actor": actor, "period": period, "halves": halves, "caseload": caseload}

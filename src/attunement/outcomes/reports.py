"""What each audience's report says, as plain data. One function per report; each reads only through
selectors scoped to the acting member, and the same data feeds the web page and the PDF."""

from collections import Counter
from datetime import timedelta

from attunement.learners.models import Learner
from attunement.learners.selectors import learners_visible_to
from attunement.means.models import MeetingKind
from attunement.organisations.models import Membership
from attunement.practice.models import FAMILY_FEEDBACK_QUESTIONS, FamilyFeedback, ReviewRating
from attunement.practice.novelty import first_behaviour_ids
from attunement.practice.selectors import active_outcomes, current_scale, reviews_of, sessions_visible_to
from attunement.practice.vocabulary import Phase, Technique
from attunement.suppression import (
    SHOWN,
    THRESHOLD,
    Figure,
    about_enough,
    average_over,
    count_of_people,
    exact,
    part_of,
    protected,
    suppress_counts,
)

from .periods import Period
from .selectors import (
    MOVEMENT,
    active_staff,
    counted_people,
    courses_done,
    family_feedback_in,
    first_sightings_in,
    organisation_summary,
    own_self_reports,
    progress_distribution,
    ratings_of_reviews,
    required_course_ids,
    reviews_for_outcome,
    sessions_in,
    sessions_per_person,
    supervision_meetings_in,
    term_starts_of,
)

ENJOYMENT = {3: "Lots", 2: "Some", 1: "Not much"}


def _sessions(actor: Membership, learner: Learner, period: Period):
    return sessions_visible_to(actor).filter(learner=learner, started_at__gte=period.start, started_at__lt=period.end)


def best_moments(actor: Membership, learner: Learner, period: Period, limit: int = 8) -> list[dict]:
    """Things seen for the first time, and the moments staff marked as significant, newest first."""
    sessions = _sessions(actor, learner, period)
    firsts = [
        {"when": b.session.started_at, "text": b.description, "kind": "first time", "source": f"behaviour:{b.pk}"}
        for b in first_sightings_in(sessions, [learner.pk])
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
    ratings = ratings_of_reviews(reviews)
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
    real_firsts = first_behaviour_ids([learner.pk])  # a behaviour already seen before is not a first again
    outcomes = []
    for outcome in active_outcomes(learner=learner):
        linked = sessions.filter(outcomes=outcome).prefetch_related("behaviours").order_by("started_at")
        reviews = reviews_for_outcome(learner, outcome, period)
        outcomes.append(
            {
                "outcome": outcome,
                "sessions": [
                    {
                        "when": s.started_at,
                        "minutes": s.minutes,
                        "what_happened": s.what_happened,
                        "firsts": [b.description for b in s.behaviours.all() if b.pk in real_firsts],
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


def inspection_frame(organisation) -> list[str]:
    """Schools are inspected by Ofsted, adult services by the CQC: the pack follows the inspector's own headings
    (Ofsted's report-card evaluation areas, or the CQC's five key questions)."""
    from .frameworks import framework_for

    return [area.name for area in framework_for(organisation.setting)[3]]


def _when(period: Period) -> str:
    return f"{period.since.day} {period.since:%b %Y} to {period.until.day} {period.until:%b %Y}"


def _line(label: str, figure, means: str, *, rows=None, optional: bool = False) -> dict:
    """One figure of a pack: what it is called, its value (or the true words for a hidden one), and one line
    saying what it counts and over which period. `rows` break it down (each row a label and a figure).
    An optional line is left out unless its figure is shown: "fewer than 5" would tell the reader nothing,
    and leaving it out whether the truth is none or four tells them nothing either."""
    return {"label": label, "figure": figure, "means": means, "rows": rows or [], "optional": optional}


def _means_figures(organisation, period: Period) -> dict:
    """The practice that produces the ends, as counts about staff (hidden below 5 staff)."""
    when = _when(period)
    staff = active_staff(organisation)
    n_staff = staff.count()
    enough = n_staff >= THRESHOLD
    # Trained: has done every course the organisation marks as required of all staff (induction by default),
    # whatever the courses are called.
    required = required_course_ids(organisation)
    done = courses_done(staff, required)
    trained = sum(1 for courses in done.values() if courses >= required)
    meetings = supervision_meetings_in(organisation, period)
    n_meetings = meetings.count()
    n_video = meetings.filter(kind=MeetingKind.VIDEO_REFLECTION).count()
    return {
        "staff": _line(
            "Staff who practise Intensive Interaction",
            count_of_people(n_staff),
            "Practitioners, co-ordinators, managers, therapists and administrators with an active account today.",
        ),
        "inducted": _line(
            "Staff who have done all the required training",
            part_of(trained, n_staff) if enough and required else protected(),
            "Of those staff, the ones who have completed every course the organisation marks as required of all staff.",
            optional=not required,
        ),
        "meetings": _line(
            "Supervision, mentoring and video-reflection meetings",
            exact(n_meetings) if enough else protected(),
            f"Meetings recorded from {when} in which staff were supervised, mentored or watched their own "
            "practice on video together.",
        ),
        "video_reflections": _line(
            "Of those, video-reflection meetings",
            exact(n_video) if enough else protected(),
            f"Meetings from {when} in which staff watched a recorded session together to learn from it.",
        ),
    }


def _family_figures(people, period: Period, *, word: str = "person", words: str = "people") -> tuple[dict, list[str]]:
    """Families' answers, averaged per question over families (each family once, their latest answer), and
    the comments they agreed may be quoted without names, with every name Attunement knows taken out.
    Hidden below 5 families."""
    when = _when(period)
    latest: dict[int, FamilyFeedback] = {}
    for feedback in family_feedback_in(people, period).select_related("learner").order_by("given_on", "pk"):
        latest[feedback.learner_id] = feedback
    answers = list(latest.values())
    figures = {
        "families": _line(
            "Families who gave feedback",
            part_of(len(answers), people.count()),
            f"Families of the {words} counted who answered the family questions from {when}. Each family "
            "counts once, with their latest answers.",
        )
    }
    for question, statement in FAMILY_FEEDBACK_QUESTIONS:
        figures[f"family_{question}"] = _line(
            f"Families: “{statement}” (average, 1 to 5)",
            average_over(sum(getattr(a, question) for a in answers), len(answers)),
            "The average of those families' answers, from 1 (not at all) to 5 (very much).",
        )
    quotes = []
    if len(answers) >= THRESHOLD:
        quotes = [_without_names(a.comment, a.learner) for a in answers if a.may_quote and a.comment][:5]
    return figures, list(dict.fromkeys(q for q in quotes if q))  # the same words from two families, once


def _without_names(text: str, learner) -> str:
    """A family's comment with every name Attunement knows replaced by a role ("[the pupil]"); nothing at all
    if names cannot be taken out."""
    try:
        from .anonymise import anonymise
        from .case_studies import known_names
    except ImportError:  # pragma: no cover - without the name filter nothing is quoted
        return ""
    return anonymise(text, known_names(learner))


AUDIENCES = {
    "inspectors": ("Evidence for inspectors", None),
    "commissioners": (
        "For commissioners",
        {
            "Who is reached": ["people", "sessions", "hours", "per_week", "target"],
            "What changes for them": ["moved", "new", "lots", "family_connected"],
            "The practice that makes it happen": ["staff", "inducted", "meetings", "video_reflections"],
        },
    ),
    "funders": (
        "For funders",
        {
            "What your support delivers": ["people", "sessions", "hours"],
            "What it achieves": ["moved", "new", "lots", "had_enough", "family_connected"],
            "How it is sustained": ["staff", "inducted", "meetings", "video_reflections"],
        },
    ),
    "management": (
        "For managers and trustees",
        {
            "Fit with our values: following each person's lead": ["had_enough", "in_moment", "lots"],
            "Outcomes for {our_people}": ["people", "moved", "new"],
            "Our staff": ["staff", "inducted", "meetings", "video_reflections"],
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


def _shares(sessions, people_n: int) -> dict:
    """Percentages of sessions, each hidden when the group is under the threshold."""
    from django.db.models import Count, Q, Sum

    tally = sessions.aggregate(
        total=Count("pk"),
        minutes=Sum("minutes"),
        lots=Count("pk", filter=Q(enjoyment=3)),
        had_enough=Count("pk", filter=Q(ending="had_enough")),
        in_moment=Count("pk", filter=Q(planned=False)),
    )

    def share(part: str):
        return about_enough(round(100 * tally[part] / tally["total"]) if tally["total"] else None, people_n)

    return {
        "total": tally["total"],
        "hours": about_enough(round((tally["minutes"] or 0) / 60), people_n),
        "lots": share("lots"),
        "had_enough": share("had_enough"),
        "in_moment": share("in_moment"),
    }


def _previous_term(day, starts=()):
    from .dashboard import term_start

    start = term_start(day, starts)
    return term_start(start - timedelta(days=1), starts), start - timedelta(days=1)


def pack_trend(organisation, people, until) -> list[dict]:
    """This term so far against last term, and the twelve months to `until` against the twelve before, for
    the same people (those counted now). Each figure is hidden like any other."""
    from .dashboard import term_start

    starts = term_starts_of(organisation_id=organisation.pk)
    n_people = people.count()
    term = Period(since=term_start(until, starts), until=until)
    last_term = Period(*_previous_term(until, starts))
    year = Period(since=until - timedelta(days=364), until=until)
    last_year = Period(since=until - timedelta(days=729), until=until - timedelta(days=365))

    def measure(period: Period) -> dict:
        counts = sessions_per_person(people, period.since, period.until + timedelta(days=1))
        total = sum(n for n, _, _ in counts)
        sessions = sessions_in(people, period)
        enough = n_people >= THRESHOLD
        none = Figure(SHOWN, "no sessions recorded")
        return {
            "period": period,
            "sessions": exact(total) if enough else protected(),
            "per_week": average_over(total / max(period.days / 7, 1), n_people),
            "lots": _shares(sessions, n_people)["lots"] if total or not enough else none,
            "new": part_of(sum(1 for _, new, _ in counts if new), n_people) if enough else protected(),
        }

    rows = []
    for name, now, before in (
        (
            "This term so far, against last term"
            if organisation.setting == "school"
            else "This review period so far, against the one before",
            term,
            last_term,
        ),
        ("The last twelve months, against the twelve before", year, last_year),
    ):
        rows.append({"name": name, "now": measure(now), "before": measure(before)})
    return rows


def _bars(rows: list[tuple[str, object]]) -> dict:
    """Horizontal bars for the shown figures of a breakdown; hidden ones are listed in words beside the chart,
    never drawn (a bar would show their size)."""
    label_w, bar_w, row_h = 300, 260, 26
    drawn = [(label, f.value) for label, f in rows if f.is_shown]
    top = max([value for _, value in drawn] + [1])
    bars = [
        {
            "label": label,
            "value": value,
            "y": i * row_h + 4,
            "text_y": i * row_h + row_h / 2,
            "width": round(bar_w * value / top, 1),
            "value_x": round(label_w + 6 + bar_w * value / top, 1),
        }
        for i, (label, value) in enumerate(drawn)
    ]
    return {
        "width": label_w + bar_w + 50,
        "height": max(len(bars), 1) * row_h,
        "label_w": label_w,
        "bars": bars,
        "hidden": [(label, f) for label, f in rows if not f.is_shown],
    }


def _monthly_sessions(sessions, period: Period, enough: bool) -> list[tuple[str, object]]:
    from django.utils import timezone

    months: Counter = Counter()
    for started_at in sessions.values_list("started_at", flat=True):
        months[timezone.localtime(started_at).date().replace(day=1)] += 1

    def name(month) -> str:  # a month the period only partly covers says so
        partly = month < period.since or (month + timedelta(days=31)).replace(day=1) - timedelta(days=1) > period.until
        return f"{month:%b %Y}" + (" (part)" if partly else "")

    return [(name(month), exact(n) if enough else protected()) for month, n in sorted(months.items())]


STAFF_LINES = ("staff", "inducted", "meetings", "video_reflections")


def group_detail(group) -> dict:
    """What the audit entry of a pack or an export says of the class or group it was narrowed to."""
    return {"group": group.name, "group_id": group.pk} if group else {}


def organisation_pack(*, organisation, period: Period, audience: str, group=None) -> dict:
    """An organisation's anonymised evidence for one audience. Every figure is about the people who agreed to
    anonymised reports (or about staff), and hidden when it is about fewer than 5 of them. Each figure comes
    with one line saying what it counts and over which period; the inspectors' pack follows their framework.
    With `group`, the figures about people are about those in that class or group now; staff are counted for
    the whole organisation, as they are not in classes."""
    from .frameworks import framework_for

    title, layout = AUDIENCES[audience]
    word, words = organisation.word
    word = word.removesuffix(" we support")  # "each person", not "each person we support"
    Words = words[:1].upper() + words[1:]  # noqa: N806 - the plural word at the start of a line
    when = _when(period)
    summary = organisation_summary(organisation=organisation, period=period, today=period.until, group=group)
    people = counted_people(organisation, period.until, group)
    n_people = people.count()
    withheld = summary["withheld"]
    enough = summary["enough_people"]
    in_group = f" in {group.name} now" if group else ""
    sessions = sessions_in(people, period)
    shares = _shares(sessions, n_people)
    target = organisation.weekly_session_target
    scale = current_scale(organisation)
    moved = suppress_counts(progress_distribution(people, period.since, period.until), total_shown=True)
    moved_rows = [(label, moved.cells[key]) for key, label in MOVEMENT] if enough else []
    met = summary["target_rows"]
    holds = people.filter(legal_holds__isnull=False, legal_holds__lifted_at__isnull=True).distinct().count()
    lines = {
        "people": _line(
            f"{Words} counted",
            summary["people"],
            f"How many {words} there were{in_group} on {period.until.day} {period.until:%b %Y} whose consent covers "
            f"use in anonymised reports (those who have left are not counted). Every other figure about {words} here "
            "counts only them.",
        ),
        "sessions": _line(
            "Sessions recorded",
            summary["sessions_total"],
            f"Intensive Interaction sessions recorded with them from {when}. Withdrawn records are left out.",
        ),
        "hours": _line(
            "Hours of Intensive Interaction", shares["hours"], "The length of those sessions added up, in hours."
        ),
        "per_week": _line(
            f"Sessions per {word} each week, on average",
            summary["sessions_per_person_week"],
            f"Sessions recorded, divided by the number of {words} counted and by the {summary['weeks']} weeks "
            f"from {when}.",
        ),
        "target": _line(
            f"{Words} who met their weekly session target",
            met["met"],
            f"{Words} whose sessions from {when}, averaged per week, reached their own weekly target (or the "
            f"usual {target} a week).",
            rows=[("Met it", met["met"]), ("Did not", met["not_met"])],
        ),
        "new": _line(
            f"{Words} with something seen for the first time",
            summary["with_new"],
            f"{Words} with at least one session from {when} in which staff recorded a behaviour never seen before.",
        ),
        "moved": _line(
            "How their progress moved",
            count_of_people(n_people) if enough else protected(),
            f"Each {word}'s level on each item of the scale “{scale.name if scale else 'none chosen'}” at their "
            f"first and their latest review from {when}, compared item by item. Withdrawn reviews are left "
            f"out. The rows add up to the {words} counted.",
            rows=moved_rows,
        ),
        "lots": _line(
            f"Sessions the {word} enjoyed a lot (%)",
            shares["lots"],
            f"Of all sessions from {when}, the share in which staff recorded that the {word} enjoyed it a lot.",
        ),
        "had_enough": _line(
            f"Sessions ended because the {word} had had enough (%)",
            shares["had_enough"],
            f"Of all sessions from {when}, the share that ended when the {word} showed they had had enough: "
            "staff followed their lead.",
        ),
        "in_moment": _line(
            "Sessions caught in the moment, not planned (%)",
            shares["in_moment"],
            f"Of all sessions from {when}, the share that staff began when the {word} showed they were ready, "
            "rather than at a planned time.",
        ),
        "holds": _line(
            f"{Words} whose records are under a legal hold",
            part_of(holds, n_people) if enough else protected(),
            f"{Words} counted whose records are kept from deletion today because of a complaint or a legal "
            "claim. Shown only when there are 5 or more.",
            optional=True,
        ),
        **_means_figures(organisation, period),
    }
    family, quotes = _family_figures(people, period, word=word, words=words)
    lines |= family
    for key, line in lines.items():
        line["key"] = key
        if group and key in STAFF_LINES:
            line["means"] += " For the whole organisation: staff are not counted by class or group."
        elif withheld:
            line["figure"] = protected()
            line["rows"] = [(label, protected()) for label, _ in line["rows"]]
    if withheld:
        quotes, moved_rows = [], []
    frame_name, evidence_label, not_covered, areas = framework_for(organisation.setting)
    if layout is None:  # inspectors: their own framework
        sections = [
            {
                "heading": area.name,
                "about": area.about,
                "figures": [{**lines[key], "evidence": evidence} for key, evidence in area.figures],
            }
            for area in areas
        ]
    else:
        sections = [
            {
                "heading": heading.format(our_people=f"the {words}" if "we support" in words else f"our {words}"),
                "about": "",
                "figures": [{**lines[key], "evidence": ""} for key in keys],
            }
            for heading, keys in layout.items()
        ]
    for section in sections:
        section["figures"] = [f for f in section["figures"] if f["figure"].is_shown or not f["optional"]]
    return {
        "title": title,
        "audience": audience,
        "organisation": organisation,
        "group": group,
        "withheld": withheld,
        "period": period,
        "words": (word, words),
        "framework": frame_name if layout is None else "",
        "evidence_label": evidence_label,
        "not_covered": not_covered if layout is None else "",
        "summary": summary,
        "sections": sections,
        "enough": enough,
        "charts": {
            "moved": _bars(moved_rows) if any(f.is_shown for _, f in moved_rows) else None,
            "months": _bars(_monthly_sessions(sessions, period, enough)) if enough else None,
        },
        "trend": pack_trend(organisation, people, period.until) if enough else [],
        # Families agreed to be quoted, without names, in reports to managers: only that pack quotes them.
        "quotes": quotes if audience == "management" else [],
    }


def inspector_pack(*, organisation, period: Period) -> dict:
    return organisation_pack(organisation=organisation, period=period, audience="inspectors")


def my_practice(*, actor: Membership, period: Period) -> dict:
    """A practitioner's, carer's or therapist's own practice: the sessions they were partner in, what they did
    most, and how the people they work with responded. Their own, so nothing is hidden from them."""
    sessions = list(
        sessions_visible_to(actor)
        .filter(partners__id=actor.user_id, started_at__gte=period.start, started_at__lt=period.end)
        .select_related("learner")
        .prefetch_related("behaviours")
        .distinct()
    )
    techniques = Counter(code for s in sessions for code in s.techniques)
    phases = Counter(code for s in sessions for code in s.phases)
    real_firsts = first_behaviour_ids({s.learner_id for s in sessions})
    per_person: dict[int, dict] = {}
    for s in sessions:
        row = per_person.setdefault(s.learner_id, {"learner": s.learner, "sessions": 0, "lots": 0, "firsts": []})
        row["sessions"] += 1
        row["lots"] += 1 if s.enjoyment == 3 else 0
        row["firsts"] += [b.description for b in s.behaviours.all() if b.pk in real_firsts]
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
    from .case_studies import case_study_sentences, release_for

    story = person_story(actor=actor, learner=learner, period=period)
    age = None
    if learner.date_of_birth:
        years = (period.until - learner.date_of_birth).days // 365
        age = f"{(years // 5) * 5} to {(years // 5) * 5 + 4}"
    release = release_for(learner=learner, period=period)
    sentences, waiting = case_study_sentences(actor=actor, learner=learner, release=release)
    word = learner.organisation.word[0]
    return {
        **story,
        # Free text the co-ordinator has not released never reaches the case study.
        "best_moments": [s for s in sentences if s["kind"] != "family"],
        "quotes": [s["text"] for s in sentences if s["kind"] == "family"],
        "favourite_places": [],
        "release": release,
        "waiting_sentences": waiting,  # added or corrected since the release: shown once checked again
        "who": f"A {word}" + (f", aged {age}" if age else ""),
        "needs": learner.need_labels(),
    }


def carer_report(*, actor: Membership, period: Period) -> dict:
    """For a carer: their own practice, and how they have been feeling (their own answers, never anyone
    else's), because deeper relationships, confidence and less burnout are the ends for carers."""
    answers = own_self_reports(actor, period)
    return {**my_practice(actor=actor, period=period), "feelings": list(answers)}


def therapist_report(*, actor: Membership, period: Period) -> dict:
    """For a therapist: engagement of each person on their caseload, first half of the period against the
    second, so change (and a reduced need for referral) can be seen."""
    middle = period.since + (period.until - period.since) / 2
    halves = (Period(since=period.since, until=middle), Period(since=middle + timedelta(days=1), until=period.until))
    caseload = []
    caseload_people = list(learners_visible_to(actor).filter(is_active=True))
    real_firsts = first_behaviour_ids([learner.pk for learner in caseload_people])
    for learner in caseload_people:
        row = {"learner": learner}
        for name, half in zip(("before", "after"), halves, strict=True):
            sessions = list(_sessions(actor, learner, half).prefetch_related("behaviours"))
            rated = [s for s in sessions if s.enjoyment]
            row[name] = {
                "sessions": len(sessions),
                "enjoyed_a_lot": round(100 * sum(s.enjoyment == 3 for s in rated) / len(rated)) if rated else None,
                "firsts": sum(1 for s in sessions for b in s.behaviours.all() if b.pk in real_firsts),
            }
        caseload.append(row)
    return {"actor": actor, "period": period, "halves": halves, "caseload": caseload}

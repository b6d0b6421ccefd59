"""Every read of codings and the ethogram, scoped to the acting member, and the figures shown about them
(computed by the pure engine in attunement.coding.stats)."""

from dataclasses import dataclass

from django.db.models import Count, F, QuerySet

from attunement.coding.model import (
    STATE,
    Code,
    Coding,
    Ethogram,
    Event,
    ethogram_from_events,
    split_modifiers,
)
from attunement.coding.stats import (
    ICC,
    NO_CODE,
    NO_FOCAL_SUBJECT,
    Agreement,
    BorisKappa,
    PointAgreement,
    SubjectStats,
    agreement,
    boris_kappa,
    code_stats,
    combined_label,
    icc,
    initiations,
    krippendorff_alpha_nominal,
    longest_chain,
    point_agreement,
    presence,
    subject_stats,
    subjects_of,
    turn_chains,
)
from attunement.organisations.models import Membership, Organisation
from attunement.practice.models import Session
from attunement.reflection.models import SessionVideo

from .models import CodingEvent, CodingPass, EthogramCode, Source
from .modifiers import player_sets
from .policies import coding_pass_policy, ethogram_policy

TURN_SUBJECTS = ("learner", "partner")


# --- The ethogram ----------------------------------------------------------------------------------------


def ethogram_codes(*, actor: Membership) -> QuerySet[EthogramCode]:
    """The organisation's codes, in use first."""
    return ethogram_policy.scope(actor).order_by(F("retired_at").asc(nulls_first=True), "position", "pk")


def ethogram_code_get(*, actor: Membership, code_id: int) -> EthogramCode:
    return ethogram_policy.scope(actor).get(pk=code_id)


# --- Coding passes ---------------------------------------------------------------------------------------


def coding_passes_of(*, actor: Membership, session: Session) -> QuerySet[CodingPass]:
    return (
        coding_pass_policy.scope(actor)
        .filter(session=session)
        .select_related("coder")
        .annotate(event_count=Count("events"))
        .order_by("-created_at", "-pk")
    )


def coding_pass_get(*, actor: Membership, session: Session, pass_id: int) -> CodingPass:
    return coding_pass_policy.scope(actor).select_related("coder", "session__learner").get(pk=pass_id, session=session)


def _names(organisation: Organisation) -> dict[str, EthogramCode]:
    return {c.key: c for c in EthogramCode.objects.filter(organisation=organisation)}


def state_kinds(coding_pass: CodingPass, known: dict[str, EthogramCode]) -> dict[str, str]:
    """The codes that stay states even where an event has no stop (an unpaired state, BORIS's "UNPAIRED"): those
    the ethogram of the imported file calls states (kept in the pass's `exchange`), and, for codes that file did
    not define, those the organisation's ethogram calls states. A code the file calls a point is never made a
    state by the organisation's ethogram, so its moments stay moments."""
    kinds = {key: STATE for key, code in known.items() if code.kind == STATE}
    for item in (coding_pass.exchange or {}).get("ethogram") or []:
        if isinstance(item, dict) and isinstance(item.get("key"), str):
            if item.get("kind") == STATE:
                kinds[item["key"]] = STATE
            else:
                kinds.pop(item["key"], None)
    return kinds


def coding_of(coding_pass: CodingPass) -> Coding:
    """The stored pass as a Coding. Its ethogram holds exactly the codes used, the organisation's in the
    ethogram's order first, with the organisation's names; subjects come from the events and kinds from the
    events and the ethogram (see :func:`state_kinds`), so an event with no stop of a state code is an unpaired
    state, never a moment."""
    events = [
        Event(e.time, e.code, e.subject, e.end, split_modifiers(e.modifiers), e.comment)
        for e in coding_pass.events.order_by("time", "pk")
    ]
    known = _names(coding_pass.session.learner.organisation)
    used = ethogram_from_events(events, state_kinds(coding_pass, known)).codes
    order = sorted(
        range(len(used)),
        key=lambda i: (0, known[used[i].key].position, i) if used[i].key in known else (1, 0, i),
    )
    codes = []
    for i in order:
        code, ours = used[i], known.get(used[i].key)
        codes.append(Code(key=code.key, name=ours.name, subject=code.subject, kind=code.kind) if ours else code)
    coder = coding_pass.coder
    return Coding(
        ethogram=Ethogram(tuple(codes)),
        events=tuple(events),
        media_duration=coding_pass.media_duration,
        observer=str(coder) if coder else "",
        title=coding_pass.title,
    )


def subject_name(subject: str) -> str:
    """How a subject is shown: events coded with no subject are BORIS's "No focal subject"."""
    return subject or NO_FOCAL_SUBJECT


def pass_subjects(coding_pass: CodingPass) -> list[str]:
    """The subjects of a pass's events, in order of first appearance."""
    seen: list[str] = []
    for subject in coding_pass.events.order_by("time", "pk").values_list("subject", flat=True):
        if subject not in seen:
            seen.append(subject)
    return seen


def default_turn_subjects(subjects: list[str]) -> tuple[str | None, str | None]:
    """Who counts as the learner and the partner when nobody said: the subjects called so, if present."""
    return (
        "learner" if "learner" in subjects else None,
        "partner" if "partner" in subjects else None,
    )


def turn_subjects(coding_pass: CodingPass, subjects: list[str]) -> tuple[str | None, str | None]:
    """Who counts as the learner and the partner: as saved for this coding (while both are still among its
    subjects), otherwise the subjects called so (see `default_turn_subjects`)."""
    saved = coding_pass.saved_turn_subjects
    if all(s is not None and s in subjects for s in saved):
        return saved
    return default_turn_subjects(subjects)


@dataclass(frozen=True)
class SubjectView:
    subject: str
    name: str
    stats: SubjectStats
    rows: list[dict]  # per code: key, name, stats


@dataclass(frozen=True)
class PassStatistics:
    coding: Coding
    rows: list[dict]
    initiations: dict[str, int]
    chain_count: int
    longest: tuple[Event, ...]
    max_gap: float
    uses_other_subjects: bool
    subjects: list[SubjectView]
    learner_subject: str | None
    partner_subject: str | None
    unpaired: list[Event]

    @property
    def turns_mapped(self) -> bool:
        return self.learner_subject is not None and self.partner_subject is not None


def pass_statistics(
    coding_pass: CodingPass, *, max_gap: float = 3.0, learner: str | None = None, partner: str | None = None
) -> PassStatistics:
    """Per code: count, total and mean duration, rate per minute and share of time; the same per subject, with
    its transitions and lag-1 Yule's Q; turns between the learner and the partner (a turn answers within
    `max_gap` seconds). `learner` and `partner` name the coding's subjects that play those parts (a BORIS
    subject, an ELAN participant); by default those saved for the coding, or else the subjects called "learner"
    and "partner"."""
    coding = coding_of(coding_pass)
    stats = code_stats(coding)

    def named(key: str) -> str:
        code = coding.ethogram.get(key)
        return code.name if code is not None else key

    rows = [{"key": key, "name": named(key), "stats": s} for key, s in stats.items() if coding.ethogram.get(key)]
    subjects = subjects_of(coding)
    if learner is None and partner is None:
        learner, partner = turn_subjects(coding_pass, subjects)
    mapped = learner is not None and partner is not None and learner != partner
    chains = turn_chains(coding, max_gap, (learner, partner)) if mapped else []
    started = initiations(chains)
    views = []
    for subject in subjects:
        one = subject_stats(coding, subject)
        views.append(
            SubjectView(
                subject=subject,
                name=subject_name(subject),
                stats=one,
                rows=[{"key": key, "name": named(key), "stats": s} for key, s in one.codes.items()],
            )
        )
    return PassStatistics(
        coding=coding,
        rows=rows,
        initiations={"learner": started.get(learner, 0), "partner": started.get(partner, 0)} if mapped else {},
        chain_count=sum(1 for c in chains if len(c) >= 2),
        longest=longest_chain(chains),
        max_gap=max_gap,
        uses_other_subjects=mapped and any(e.subject not in (learner, partner) for e in coding.events),
        subjects=views,
        learner_subject=learner if mapped else None,
        partner_subject=partner if mapped else None,
        unpaired=[e for view in views for e in view.stats.unpaired],
    )


MATRIX_LIMIT = 10

ATTUNEMENT_DEFINITION, BORIS_DEFINITION = "attunement", "boris"
#: The two definitions of kappa on time units, named as the page names them (see docs/analysis.md).
DEFINITIONS = {
    ATTUNEMENT_DEFINITION: "Attunement's time units: everyone together, over the whole video",
    BORIS_DEFINITION: "BORIS's time units: each person apart, over the coded stretch",
}


@dataclass(frozen=True)
class AgreementView:
    definition: str
    definition_name: str
    unit: float
    n_units: int
    kappa: float | None
    observed_agreement: float | None
    alpha: float | None
    per_code: list[tuple[str, float | None]]
    labels_a: list[str]
    labels_b: list[str]
    matrix: list[tuple[str, list[int], int]] | None  # (label of A, units per label of B, row total)
    column_totals: list[int]
    pairs: list[tuple[str, str, int]]  # used when there are too many labels for a matrix
    points: PointAgreement
    icc_counts: ICC | None
    icc_durations: ICC | None
    subjects: list[str]
    result: Agreement | BorisKappa


def _boris_label(label: tuple) -> str:
    if not label:
        return NO_CODE
    return f"{subject_name(label[0][0])}: " + "+".join(item[1] for item in label)


def _icc_or_none(rows: list[list[float]]) -> ICC | None:
    try:
        return icc(rows)
    except ValueError:
        return None


def rating_tables(a: Coding, b: Coding) -> tuple[list[list[float]], list[list[float]]]:
    """The ICC's ratings: per (code, subject) used by either coding, the number of events in each coding; and
    per state (code, subject), the seconds it lasts in each coding."""
    keys: list[tuple[str, str]] = []
    for event in (*a.events, *b.events):
        if (event.code, event.subject) not in keys:
            keys.append((event.code, event.subject))
    budgets: dict[tuple[int, str], dict] = {}

    def budget(which: int, coding: Coding, subject: str) -> dict:
        if (which, subject) not in budgets:
            budgets[(which, subject)] = code_stats(coding, subject)
        return budgets[(which, subject)]

    counts, seconds = [], []
    for code, subject in keys:
        one, two = budget(0, a, subject).get(code), budget(1, b, subject).get(code)
        counts.append([float(one.count if one else 0), float(two.count if two else 0)])
        if any(s is not None and s.kind == STATE for s in (one, two)):
            durations = [s.total_duration if s is not None else 0.0 for s in (one, two)]
            if all(d is not None for d in durations):  # an unpaired state has no duration
                seconds.append(durations)
    return counts, seconds


def subjects_and_codes(passes) -> tuple[list[str], list[str]]:
    """The subjects and the codes used in any of these passes, sorted (to choose which to compare)."""
    rows = CodingEvent.objects.filter(coding_pass__in=[p.pk for p in passes]).values_list("subject", "code").distinct()
    subjects, codes = set(), set()
    for subject, code in rows:
        subjects.add(subject)
        codes.add(code)
    return sorted(subjects), sorted(codes)


def _only(coding: Coding, subjects, codes) -> Coding:
    """The coding with only the events of these subjects and codes (None: all)."""
    if subjects is None and codes is None:
        return coding
    events = tuple(
        e for e in coding.events if (subjects is None or e.subject in subjects) and (codes is None or e.code in codes)
    )
    ethogram = Ethogram(tuple(c for c in coding.ethogram.codes if codes is None or c.key in codes))
    return Coding(ethogram, events, coding.media_duration, coding.observer, coding.title)


def pass_agreement(
    first: CodingPass,
    second: CodingPass,
    *,
    unit: float = 1.0,
    definition: str = ATTUNEMENT_DEFINITION,
    tolerance: float = 1.0,
    subjects: list[str] | None = None,
    codes: list[str] | None = None,
) -> AgreementView:
    """Agreement between two passes: Cohen's kappa and Krippendorff's alpha on time units of `unit` seconds by
    the chosen definition, with the agreement table; point events matched within `tolerance` seconds; and the
    ICCs of the number of events per code (and the seconds per state code). `subjects` and `codes` keep only
    those people's events and those codes (as BORIS asks which subjects and behaviours to compare)."""
    subjects = sorted(subjects) if subjects else None
    codes = sorted(codes) if codes else None
    a, b = _only(coding_of(first), subjects, codes), _only(coding_of(second), subjects, codes)
    if definition == BORIS_DEFINITION:
        result = boris_kappa(a, b, unit, tuple(subjects) if subjects else None)
        table = {(_boris_label(x), _boris_label(y)): 0 for x, y in result.table}
        for (x, y), n in result.table.items():
            table[(_boris_label(x), _boris_label(y))] += n
        units_a, units_b = result.labels_a, result.labels_b
        codes: list[str] = []
        for event in (*a.events, *b.events):
            if event.code not in codes:
                codes.append(event.code)
        per_code = {code: boris_kappa(a, b, unit, result.subjects, (code,)).kappa for code in codes}
        kappa, observed, n_units = result.kappa, result.observed_agreement, len(units_a)
        subjects = list(result.subjects)
    else:
        result = agreement(a, b, unit)
        table = result.table
        units_a = [combined_label(u) for u in presence(a, result.n_units, unit)]
        units_b = [combined_label(u) for u in presence(b, result.n_units, unit)]
        per_code, kappa, observed, n_units = result.per_code, result.overall, result.observed_agreement, result.n_units
        subjects = []
    labels_a = sorted({x for x, _ in table})
    labels_b = sorted({y for _, y in table})
    matrix = None
    column_totals: list[int] = []
    pairs: list[tuple[str, str, int]] = []
    if len(labels_a) <= MATRIX_LIMIT and len(labels_b) <= MATRIX_LIMIT:
        matrix = []
        for x in labels_a:
            cells = [table.get((x, y), 0) for y in labels_b]
            matrix.append((x, cells, sum(cells)))
        column_totals = [sum(table.get((x, y), 0) for x in labels_a) for y in labels_b]
    else:
        pairs = sorted(((x, y, n) for (x, y), n in table.items()), key=lambda p: (-p[2], p[0], p[1]))
    counts, seconds = rating_tables(a, b)
    return AgreementView(
        definition=definition,
        definition_name=DEFINITIONS[definition],
        unit=unit,
        n_units=n_units,
        kappa=kappa,
        observed_agreement=observed,
        alpha=krippendorff_alpha_nominal([units_a, units_b]) if units_a else None,
        per_code=sorted(per_code.items()),
        labels_a=labels_a,
        labels_b=labels_b,
        matrix=matrix,
        column_totals=column_totals,
        pairs=pairs,
        points=point_agreement(a, b, tolerance),
        icc_counts=_icc_or_none(counts),
        icc_durations=_icc_or_none(seconds),
        subjects=[subject_name(s) for s in subjects],
        result=result,
    )


# --- Coding in the player ---------------------------------------------------------------------------


def my_events(actor: Membership, video: SessionVideo) -> QuerySet[CodingEvent]:
    return CodingEvent.objects.filter(
        coding_pass__video=video, coding_pass__coder=actor.user, coding_pass__source=Source.ENTERED
    ).order_by("time", "pk")


def my_coding_pass(actor: Membership, video: SessionVideo) -> CodingPass | None:
    return CodingPass.objects.filter(video=video, coder=actor.user, source=Source.ENTERED).order_by("pk").first()


def coding_keys(actor: Membership) -> list[dict]:
    """The ethogram in use, as the player needs it: key, name, subject, kind, shortcut and modifier pick-lists."""
    return [
        {
            "key": c.key,
            "name": c.name,
            "subject": c.subject,
            "kind": c.kind,
            "shortcut": c.shortcut,
            "modifierSets": player_sets(c.modifier_sets),
        }
        for c in ethogram_codes(actor=actor).filter(retired_at__isnull=True)
    ]

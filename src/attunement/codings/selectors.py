"""Every read of codings and the ethogram, scoped to the acting member, and the figures shown about them
(computed by the pure engine in attunement.coding.stats)."""

from dataclasses import dataclass

from django.db.models import Count, F, QuerySet

from attunement.coding.model import (
    Code,
    Coding,
    Ethogram,
    Event,
    ethogram_from_events,
    split_modifiers,
)
from attunement.coding.stats import Agreement, agreement, code_stats, initiations, longest_chain, turn_chains
from attunement.organisations.models import Membership, Organisation
from attunement.practice.models import Session
from attunement.reflection.models import SessionVideo

from .models import CodingEvent, CodingPass, EthogramCode, Source
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


def coding_of(coding_pass: CodingPass) -> Coding:
    """The stored pass as a Coding. Its ethogram holds exactly the codes used, the organisation's in the
    ethogram's order first, with the organisation's names; kinds and subjects come from the events."""
    events = [
        Event(e.time, e.code, e.subject, e.end, split_modifiers(e.modifiers), e.comment)
        for e in coding_pass.events.order_by("time", "pk")
    ]
    known = _names(coding_pass.session.learner.organisation)
    used = ethogram_from_events(events).codes
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


@dataclass(frozen=True)
class PassStatistics:
    coding: Coding
    rows: list[dict]
    initiations: dict[str, int]
    chain_count: int
    longest: tuple[Event, ...]
    max_gap: float
    uses_other_subjects: bool


def pass_statistics(coding_pass: CodingPass, *, max_gap: float = 3.0) -> PassStatistics:
    """Per code: count, total and mean duration, rate per minute and share of time; turns between the
    learner and the partner (a turn answers within `max_gap` seconds)."""
    coding = coding_of(coding_pass)
    stats = code_stats(coding)
    rows = [
        {"key": key, "name": coding.ethogram.get(key).name, "stats": s}
        for key, s in stats.items()
        if coding.ethogram.get(key) is not None
    ]
    chains = turn_chains(coding, max_gap, TURN_SUBJECTS)
    started = initiations(chains)
    return PassStatistics(
        coding=coding,
        rows=rows,
        initiations={subject: started.get(subject, 0) for subject in TURN_SUBJECTS},
        chain_count=sum(1 for c in chains if len(c) >= 2),
        longest=longest_chain(chains),
        max_gap=max_gap,
        uses_other_subjects=any(e.subject not in TURN_SUBJECTS for e in coding.events),
    )


MATRIX_LIMIT = 10


@dataclass(frozen=True)
class AgreementView:
    result: Agreement
    per_code: list[tuple[str, float | None]]
    labels_a: list[str]
    labels_b: list[str]
    matrix: list[tuple[str, list[int], int]] | None  # (label of A, units per label of B, row total)
    column_totals: list[int]
    pairs: list[tuple[str, str, int]]  # used when there are too many labels for a matrix


def pass_agreement(first: CodingPass, second: CodingPass, *, unit: float = 1.0) -> AgreementView:
    """Cohen's kappa between two passes on time units of `unit` seconds, with the agreement table."""
    result = agreement(coding_of(first), coding_of(second), unit)
    labels_a = sorted({a for a, _ in result.table})
    labels_b = sorted({b for _, b in result.table})
    matrix = None
    column_totals: list[int] = []
    pairs: list[tuple[str, str, int]] = []
    if len(labels_a) <= MATRIX_LIMIT and len(labels_b) <= MATRIX_LIMIT:
        matrix = []
        for a in labels_a:
            cells = [result.table.get((a, b), 0) for b in labels_b]
            matrix.append((a, cells, sum(cells)))
        column_totals = [sum(result.table.get((a, b), 0) for a in labels_a) for b in labels_b]
    else:
        pairs = sorted(((a, b, n) for (a, b), n in result.table.items()), key=lambda p: (-p[2], p[0], p[1]))
    return AgreementView(
        result=result,
        per_code=sorted(result.per_code.items()),
        labels_a=labels_a,
        labels_b=labels_b,
        matrix=matrix,
        column_totals=column_totals,
        pairs=pairs,
    )


# --- Coding in the player ---------------------------------------------------------------------------


def my_events(actor: Membership, video: SessionVideo) -> QuerySet[CodingEvent]:
    return CodingEvent.objects.filter(
        coding_pass__video=video, coding_pass__coder=actor.user, coding_pass__source=Source.ENTERED
    ).order_by("time", "pk")


def my_coding_pass(actor: Membership, video: SessionVideo) -> CodingPass | None:
    return CodingPass.objects.filter(video=video, coder=actor.user, source=Source.ENTERED).order_by("pk").first()


def coding_keys(actor: Membership) -> list[dict]:
    """The ethogram in use, as the player needs it: key, name, subject, kind and shortcut."""
    return [
        {"key": c.key, "name": c.name, "subject": c.subject, "kind": c.kind, "shortcut": c.shortcut}
        for c in ethogram_codes(actor=actor).filter(retired_at__isnull=True)
    ]

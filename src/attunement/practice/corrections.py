"""A saved session or progress review, in plain words, and what changed between two versions of it.

Each correction keeps the whole record as it was before and after (`Correction.before` / `.after`), keyed by
the field's name in plain words, so the history reads the same on the record's page, in the audit trail and in
the person's own copy of their data, even after a Fundamental or a level is renamed.
"""

from dataclasses import dataclass

from django.utils import timezone

from .models import Correction, ProgressReview, Session

# The fields of a session in the order the quick log asks for them, named in plain words.
PERSON = "person"
SESSION_FIELDS = (
    PERSON,
    "started",
    "minutes",
    "place",
    "planned or in the moment",
    "partners",
    "Fundamentals seen",
    "enjoyment",
    "how it ended",
    "why it was ended",
    "behaviours noticed",
    "what happened",
    "phases reached",
    "techniques used",
    "plan outcomes",
    "a significant moment",
    "how I did",
    "next time",
)
REVIEW_FIXED_FIELDS = ("date of the review", "period", "plan outcomes", "summary")
EMPTY = "nothing"


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%-d %b %Y, %H:%M}"


def session_in_words(session: Session) -> dict:
    """Every field of the session as a reader would say it (lists stay lists)."""
    behaviours = [
        b.description if b.novelty == "typical" else f"{b.description} ({b.get_novelty_display().lower()})"
        for b in session.behaviours.order_by("pk")
    ]
    return {
        PERSON: session.learner.full_name,
        "started": _when(session.started_at),
        "minutes": session.minutes,
        "place": session.place,
        "planned or in the moment": "planned" if session.planned else "in the moment",
        "partners": sorted(str(user) for user in session.partners.all()),
        "Fundamentals seen": sorted(f.name for f in session.fundamentals.all()),
        "enjoyment": session.get_enjoyment_display() if session.enjoyment else "",
        "how it ended": session.get_ending_display() if session.ending else "",
        "why it was ended": session.ending_reason,
        "behaviours noticed": behaviours,
        "what happened": session.what_happened,
        "phases reached": session.phase_labels(),
        "techniques used": session.technique_labels(),
        "plan outcomes": sorted(o.text for o in session.outcomes.all()),
        "a significant moment": session.significant_moment,
        "how I did": session.how_i_did,
        "next time": session.next_time,
    }


def _item_name(rating) -> str:
    return rating.fundamental.name if rating.fundamental_id else rating.area.title()


def review_in_words(review: ProgressReview) -> dict:
    words = {
        "date of the review": f"{review.reviewed_on:%-d %b %Y}",
        "period": review.period_label,
        "plan outcomes": sorted(o.text for o in review.outcomes.all()),
        "summary": review.summary,
    }
    for rating in review.ratings.select_related("fundamental", "level").order_by("pk"):
        name = _item_name(rating)
        words[name] = rating.level.label
        evidence = sorted(rating.evidence.all(), key=lambda s: s.started_at)
        words[f"{EVIDENCE_FOR}{name}"] = [_when(s.started_at) for s in evidence]
    return words


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str

    def __str__(self) -> str:
        return f"{self.field} {self.before} → {self.after}"


def _shown(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) if value else EMPTY
    if value in ("", None):
        return EMPTY
    return str(value)


EVIDENCE_FOR = "evidence for "
KNOWN_ORDER = {field: i for i, field in enumerate((*SESSION_FIELDS, *REVIEW_FIXED_FIELDS))}


def _field_order(field: str) -> tuple:
    """The order the form asks in; a review's items then follow by name, each with its evidence after it. (The
    database need not keep a JSON object's keys in order, so the order is worked out, never read back.)"""
    if field in KNOWN_ORDER:
        return (0, KNOWN_ORDER[field], "", 0)
    is_evidence = field.startswith(EVIDENCE_FOR)
    return (1, 0, field.removeprefix(EVIDENCE_FOR).casefold(), int(is_evidence))


def changes_between(before: dict, after: dict) -> list[Change]:
    """The fields that differ, in the order the form asks for them."""
    fields = sorted(before.keys() | after.keys(), key=_field_order)
    return [
        Change(field, _shown(before.get(field, "")), _shown(after.get(field, "")))
        for field in fields
        if before.get(field, "") != after.get(field, "")
    ]


def only_changed(before: dict, after: dict) -> tuple[dict, dict]:
    """The two versions cut down to the fields that differ: what the audit trail keeps of a change."""
    fields = [c.field for c in changes_between(before, after)]
    return {f: before.get(f, "") for f in fields}, {f: after.get(f, "") for f in fields}


@dataclass(frozen=True)
class HistoryLine:
    correction: Correction
    changes: list[Change]

    @property
    def sentence(self) -> str:
        """ "Changed by Sam Okafor on 4 Dec 2026: minutes 20 → 15; place Classroom → Hall"."""
        who = str(self.correction.changed_by) if self.correction.changed_by else "someone no longer here"
        when = f"{timezone.localtime(self.correction.changed_at):%-d %b %Y}"
        if self.correction.kind == Correction.Kind.WITHDRAW:
            return f"Withdrawn by {who} on {when}: {self.correction.reason}"
        if self.correction.kind == Correction.Kind.RESTORE:
            return f"Brought back by {who} on {when}: {self.correction.reason}"
        what = "; ".join(str(change) for change in self.changes) or "nothing changed"
        return f"Changed by {who} on {when}: {what}"


def history(record: Session | ProgressReview) -> list[HistoryLine]:
    """Every change to the record, oldest first."""
    corrections = Correction.objects.filter(**{_key(record): record}).select_related("changed_by")
    return [HistoryLine(c, changes_between(c.before, c.after) if c.kind == c.Kind.EDIT else []) for c in corrections]


def _key(record) -> str:
    return "session" if isinstance(record, Session) else "review"

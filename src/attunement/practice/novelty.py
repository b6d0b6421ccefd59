"""Is a behaviour really "never seen before"? One rule, used by the quick log and by every list of firsts.

Two descriptions are the same behaviour when their keys are equal. The key ignores case, spacing and
punctuation, small words ("my", "the", "a") and common endings ("hands", "smiled", "tapping"), so
"Reached for my hand" and "reached for the hands." are one behaviour, and "Reached for my head" another.
The quick log also counts a one-letter slip in a longer word ("vocalised", "vocalized") as a close match,
and asks before saving as new a behaviour that the person's history (only sessions that count: withdrawn
ones are left out) already holds.

A list of firsts shows a behaviour once, at its earliest record: a "never seen before" whose key was
already recorded for the person (in any way: typical, rarely seen or new) is not a first. Slips of the
pen are left to the person logging the session: the quick log asks them, and when they confirm that a
close match is new, it is new.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from .vocabulary import Novelty

# Small words that do not change which behaviour is meant.
SMALL_WORDS = frozenset("a an the my me his her their your our its to at on in into of for with and or then".split())
# Common English endings, longest first; a word keeps at least three letters.
ENDINGS = ("ing", "ed", "es", "s", "e", "d")
# A word needs at least this many letters before a one-letter slip counts as the same word.
SHORTEST_WITH_SLIPS = 5

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    """The description reduced to lower-case letters and digits with single spaces."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return " ".join(_NOT_WORD.sub(" ", text).split())


def _stem(word: str) -> str:
    """The word without its endings ("hands" and "hand", "smiled" and "smile" end up the same)."""
    shorter = True
    while shorter:
        shorter = False
        for ending in ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                word, shorter = word[: -len(ending)], True
                break
    return word


def _words(text: str) -> list[str]:
    words = normalise(text).split()
    kept = [_stem(word) for word in words if word not in SMALL_WORDS]
    return kept or [_stem(word) for word in words]


def behaviour_key(text: str) -> str:
    """What identifies a behaviour, whatever the case, spacing, punctuation, small words and endings."""
    return " ".join(_words(text))


def _one_slip(a: str, b: str) -> bool:
    """Whether two words differ by one letter added, dropped, changed, or two neighbours swapped."""
    if min(len(a), len(b)) < SHORTEST_WITH_SLIPS or abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    return (
        a[i + 1 :] == b[i + 1 :]  # changed
        or a[i + 1 :] == b[i:]  # dropped from b
        or a[i:] == b[i + 1 :]  # added in b
        or (a[i : i + 2] == b[i : i + 2][::-1] and a[i + 2 :] == b[i + 2 :])  # swapped
    )


def is_close(a: str, b: str) -> bool:
    """Whether two keys (see behaviour_key) are the same behaviour, allowing one slip in a longer word."""
    if not a or not b:
        return False
    if a == b:
        return True
    wa, wb = a.split(), b.split()
    if len(wa) != len(wb):
        return False
    different = [(x, y) for x, y in zip(wa, wb, strict=True) if x != y]
    return len(different) == 1 and _one_slip(*different[0])


def same_behaviour(a: str, b: str) -> bool:
    return is_close(behaviour_key(a), behaviour_key(b))


@dataclass(frozen=True)
class SeenBefore:
    """What the history says about a behaviour: how often, and when it was first recorded."""

    times: int
    first_on: datetime
    as_recorded: str  # the description as it was first written

    def summary(self) -> str:
        """For example "32 times, first on 9 Dec 2025"."""
        from django.utils import timezone

        times = "once" if self.times == 1 else f"{self.times} times"
        return f"{times}, first on {timezone.localtime(self.first_on):%-d %b %Y}"

    def sentence(self) -> str:
        return f"Seen before: {self.summary()}"


class History:
    """A person's recorded behaviours, grouped by their key (see behaviour_key), ready to check new ones."""

    def __init__(self, rows: Iterable[tuple[str, datetime]]):
        self._groups: dict[str, list] = {}
        for description, started_at in rows:
            key = behaviour_key(description)
            if not key:
                continue
            group = self._groups.setdefault(key, [0, started_at, description])
            group[0] += 1
            if started_at < group[1]:
                group[1], group[2] = started_at, description

    @classmethod
    def of_groups(cls, groups: Iterable[tuple[str, int, datetime]], first_written) -> "History":
        """From rows already grouped by key: (key, how many times, first recorded). `first_written(key)` gives
        the description as it was first written, asked only for a behaviour seen before."""
        history = cls(())
        history._groups = {key: [times, first_on, None] for key, times, first_on in groups}
        history._first_written = first_written
        return history

    def hints(self) -> dict[str, str]:
        """For the quick log's live hint: each key (see behaviour_key) with its "Seen before: …" sentence.
        Only whole keys: the hint in the browser does not look for slips, the check on saving does."""
        return {
            key: SeenBefore(times=group[0], first_on=group[1], as_recorded=group[2]).sentence()
            for key, group in self._groups.items()
        }

    def seen_before(self, text: str) -> SeenBefore | None:
        """The history of this behaviour, adding up every close match; None if never recorded."""
        key = behaviour_key(text)
        matches = [group for other, group in self._groups.items() if is_close(key, other)]
        if not matches:
            return None
        earliest = min(matches, key=lambda group: group[1])
        if earliest[2] is None:
            earliest[2] = self._first_written(next(k for k, group in self._groups.items() if group is earliest))
        return SeenBefore(times=sum(group[0] for group in matches), first_on=earliest[1], as_recorded=earliest[2])


def history_of(learner, *, leave_out_session_id: int | None = None, leave_out_form=None) -> History:
    """Every behaviour recorded for the person in sessions that count (withdrawn sessions are left out), and
    not in the session being corrected, if any (`leave_out_session_id`). `leave_out_form` is the submission
    key of the form being checked: when that form was already saved (a double tap), its own behaviours are
    not its history. Grouped by their stored key in the database: one row for each different behaviour."""
    from django.db.models import Count, Min

    from .models import ObservedBehaviour

    rows = ObservedBehaviour.objects.filter(session__learner=learner, session__withdrawn_at__isnull=True)
    if leave_out_session_id is not None:
        rows = rows.exclude(session_id=leave_out_session_id)
    if leave_out_form:
        rows = rows.exclude(session__submission_key=leave_out_form)
    groups = (
        rows.exclude(key__isnull=True)
        .exclude(key="")
        .values("key")
        # COUNT(*), not of the id: then the (session, key) index answers alone, and PostgreSQL walks the person's
        # sessions into it instead of reading every organisation's behaviours.
        .annotate(times=Count("*"), first_on=Min("session__started_at"))
        .order_by()
        .values_list("key", "times", "first_on")
    )

    def first_written(key: str) -> str:
        return rows.filter(key=key).order_by("session__started_at", "pk").values_list("description", flat=True)[0]

    return History.of_groups(groups, first_written)


def first_ids(rows: Iterable[tuple[int, int, str, str]], key=behaviour_key) -> set[int]:
    """From (id, learner id, description, novelty) rows in the order they happened, the ids of the real firsts:
    a behaviour marked new whose key (see behaviour_key) was not recorded for the same person before.
    The same first recorded twice counts once, at its earliest. With `key=str`, the rows hold stored keys."""
    seen: set[tuple[int, str]] = set()
    firsts: set[int] = set()
    for pk, learner_id, description, novelty in rows:
        identity = (learner_id, key(description))
        if novelty == Novelty.NEW and identity not in seen:
            firsts.add(pk)
        seen.add(identity)
    return firsts


def _history_rows(learner_ids: list[int], field: str):
    from .models import ObservedBehaviour

    return (
        ObservedBehaviour.objects.filter(session__learner_id__in=learner_ids, session__withdrawn_at__isnull=True)
        .order_by("session__started_at", "session_id", "pk")
        .values_list("pk", "session__learner_id", field, "novelty")
        .iterator(chunk_size=5000)
    )


def first_behaviour_ids_from_history(learner_ids: Iterable[int]) -> set[int]:
    """The real firsts worked out from these people's whole histories (the rule itself; pages read the stored
    flags, which refresh_first_flags keeps equal to this)."""
    learner_ids = list(learner_ids)
    if not learner_ids:
        return set()
    return first_ids(_history_rows(learner_ids, "description"))


def first_behaviour_ids(learner_ids: Iterable[int]) -> set[int]:
    """The ids of the behaviours that are real firsts for these people, counting only sessions that count:
    a read of the stored flags, as few rows as there are firsts."""
    from .models import ObservedBehaviour

    learner_ids = list(learner_ids)
    if not learner_ids:
        return set()
    return set(
        ObservedBehaviour.objects.filter(session__learner_id__in=learner_ids, is_first=True).values_list(
            "pk", flat=True
        )
    )


def _fill_missing_keys(learner_ids: list[int]) -> None:
    """Behaviours written without their key (raw rows, records older than the key) get it."""
    from .models import ObservedBehaviour

    missing = list(ObservedBehaviour.objects.filter(session__learner_id__in=learner_ids, key__isnull=True))
    for behaviour in missing:
        behaviour.fill_key()
    ObservedBehaviour.objects.bulk_update(missing, ["key"], batch_size=2000)


def refresh_first_flags(learner_ids: Iterable[int], *, keys: Iterable[str] | None = None, sessions=()) -> int:
    """Keep the stored firsts true to the people's histories: each behaviour's "is a real first" flag and each
    session's "has something never seen before" flag, for these people.

    Run after a session is saved, corrected, moved, withdrawn or brought back: a change to one session can
    make a later one hold the first instead. The flags feed every list of firsts (the timeline, About me, the
    family's page, the reports) and the counts in the dashboard. Returns how many sessions changed.

    `keys`: only behaviours with these keys (see behaviour_key) can have changed (those of the session that was
    saved, corrected, withdrawn or brought back, before and after), so only their records are read and worked
    through, not the person's whole history; without `keys`, everything is worked out again. `sessions`: the ids of
    sessions whose own flag is worked out again even if none of their behaviours changed (the one just saved)."""
    from django.db.models import Exists, OuterRef, Q

    from .models import ObservedBehaviour, Session

    learner_ids = list(learner_ids)
    if not learner_ids:
        return 0
    if keys is None:
        _fill_missing_keys(learner_ids)
        return _refresh_everything(learner_ids)
    # Rows written straight into the table have no key yet: they are read too (the same pass over the person's
    # rows), and if there are any, their keys are filled and everything is worked out again.
    rows = list(
        ObservedBehaviour.objects.filter(session__learner_id__in=learner_ids)
        .filter(Q(key__in=set(keys)) | Q(key__isnull=True))
        .order_by("session__started_at", "session_id", "pk")
        .values_list("pk", "session__learner_id", "key", "novelty", "is_first", "session_id", "session__withdrawn_at")
    )
    if any(key is None for _, _, key, _, _, _, _ in rows):
        _fill_missing_keys(learner_ids)
        return _refresh_everything(learner_ids)
    counting = [
        (pk, learner_id, key, novelty) for pk, learner_id, key, novelty, _, _, withdrawn in rows if not withdrawn
    ]
    firsts = first_ids(counting, key=str)
    now_first = [(pk, session_id) for pk, _, _, _, is_first, session_id, _ in rows if is_first and pk not in firsts]
    now_not = {pk for pk, _, _, _, is_first, _, _ in rows if not is_first and pk in firsts}
    if now_first:
        ObservedBehaviour.objects.filter(pk__in=[pk for pk, _ in now_first]).update(is_first=False)
    if now_not:
        ObservedBehaviour.objects.filter(pk__in=now_not).update(is_first=True)
    touched = {session_id for _, session_id in now_first} | {int(pk) for pk in sessions}
    touched |= {session_id for pk, _, _, _, _, session_id, _ in rows if pk in now_not}
    if not touched:
        return 0
    holding = Exists(ObservedBehaviour.objects.filter(session_id=OuterRef("pk"), is_first=True))
    return (
        Session.objects.filter(learner_id__in=learner_ids, pk__in=touched)
        .exclude(has_new_behaviour=holding)
        .update(has_new_behaviour=holding)
    )


def _refresh_everything(learner_ids: list[int]) -> int:
    """refresh_first_flags from the people's whole histories."""
    from .models import ObservedBehaviour, Session

    firsts = first_ids(_history_rows(learner_ids, "key"), key=str)
    behaviours = ObservedBehaviour.objects.filter(session__learner_id__in=learner_ids)
    behaviours.filter(is_first=True).exclude(pk__in=firsts).update(is_first=False)
    if firsts:
        behaviours.filter(pk__in=firsts, is_first=False).update(is_first=True)
    holding = (
        set(ObservedBehaviour.objects.filter(pk__in=firsts).values_list("session_id", flat=True).distinct())
        if firsts
        else set()
    )
    sessions = Session.objects.filter(learner_id__in=learner_ids)
    changed = sessions.filter(pk__in=holding, has_new_behaviour=False).update(has_new_behaviour=True)
    changed += sessions.filter(has_new_behaviour=True).exclude(pk__in=holding).update(has_new_behaviour=False)
    return changed

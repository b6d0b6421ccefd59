"""How a person's name is shown, so that two people who share a first name can be told apart.

A person is shown by the name they like to be called (their preferred name, or else their first name).
Where two people the reader can see would look the same, each gets as much of their surname as tells
them apart: "Chloe J." and "Chloe T.", or "Chloe Jo." and "Chloe Ja." when the initials are the same too,
or the whole surname when one surname begins with the other.

A page asks only about the people it shows. A reader who sees only the people assigned to them has the rule
worked out for all of them at once: one small query reads them, and the rule is applied here, grouping shown
names the way `distinct_names` does (ignoring case, accents' case included). For a reader who sees the whole
organisation, the first person a page names costs one query that reads only the people sharing that person's
shown name, as the database lower-cases it (through an index on it, so it costs the same however large the
organisation); a page that names a second person works the rule out for everyone once (one more query), so a
list never asks once per person.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, F, Func, Value
from django.db.models.functions import Coalesce, Lower

CACHE_ATTRIBUTE = "_attunement_shown_names"


def _preferred_or_null(preferred):
    # NULLIF(preferred, '') with the empty string written into the SQL: SQLite uses an index on an expression
    # only for the very same expression, and a bound parameter in the place of '' is not the same.
    return Func(preferred, template="NULLIF(%(expressions)s, '')")


def shown_name_key():
    """The shown name as the database compares it: lower-cased, the preferred name if there is one, else the first
    name. The same expression is indexed by organisation (see Learner.Meta)."""
    return Lower(Coalesce(_preferred_or_null(F("preferred_name")), F("first_name")))


def shown_first(first_name: str, preferred_name: str = "") -> str:
    return (preferred_name or "").strip() or (first_name or "").strip()


def _surname_part(last_name: str, others: list[str]) -> str:
    """The shortest start of `last_name` that no other surname in `others` shares: "J.", "Jo.", or all of it."""
    last = last_name.strip()
    folded_others = [other.strip().casefold() for other in others]
    for length in range(1, len(last)):
        start = last[:length].casefold()
        if not any(other.startswith(start) for other in folded_others):
            return last[:length] + "."
    return last


def distinct_names(people: Iterable[tuple[int, str, str, str]]) -> dict[int, str]:
    """Shown names for (id, first name, preferred name, last name) rows, told apart where they clash."""
    groups: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for pk, first, preferred, last in people:
        shown = shown_first(first, preferred)
        groups[shown.casefold()].append((pk, shown, last or ""))
    names: dict[int, str] = {}
    for members in groups.values():
        if len(members) == 1:
            pk, shown, _ = members[0]
            names[pk] = shown
            continue
        # In surname order, any other surname sharing a start with this one is next to it: comparing with the two
        # neighbours gives the same answer as comparing with everyone, without a cost that grows with the square.
        ordered = sorted(members, key=lambda member: member[2].strip().casefold())
        for i, (pk, shown, last) in enumerate(ordered):
            neighbours = [other_last for _, _, other_last in ordered[max(0, i - 1) : i] + ordered[i + 1 : i + 2]]
            names[pk] = f"{shown} {_surname_part(last, neighbours)}".strip()
    return names


def shared_names_of(people: Iterable[tuple[int, str, str, str]]) -> dict[int, str]:
    """`distinct_names` of only those (id, first name, preferred name, last name) rows whose shown name another
    row shares; everyone else is shown by their usual name."""
    people = list(people)
    count: dict[str, int] = defaultdict(int)
    for _, first, preferred, _ in people:
        count[shown_first(first, preferred).casefold()] += 1
    return distinct_names(row for row in people if count[shown_first(row[1], row[2]).casefold()] > 1)


def shared_names_among(learners) -> dict[int, str]:
    """For a queryset of the people a reader can see: the told-apart names of those whose shown name is
    shared (one query). Everyone else is shown by their usual name."""
    shown = shown_name_key()
    shared = learners.order_by().annotate(shown=shown).values("shown").annotate(n=Count("pk")).filter(n__gt=1)
    rows = (
        learners.order_by()
        .annotate(shown=shown)
        .filter(shown__in=shared.values("shown"))
        .values_list("pk", "first_name", "preferred_name", "last_name")
    )
    return distinct_names(rows)


def names_for(actor) -> dict[int, str]:
    """The told-apart names of the people this member can see whose shown name is shared."""
    from .selectors import learners_visible_to

    if actor is None:
        return {}
    return shared_names_among(learners_visible_to(actor))


class ShownNames:
    """The told-apart names one reader sees, worked out as a page asks about each person (see the module's
    docstring): `name(learner)` is the person's shown name, with as much of the surname as needed."""

    def __init__(self, actor):
        self._actor = actor
        self._names: dict[int, str] = {}  # every person worked out so far; "" for a name nobody else shares
        self._asked_one = False
        self._everyone = False

    def name(self, learner) -> str:
        if learner.pk not in self._names and not self._everyone:
            if self._asked_one or not self._sees_whole_organisation():
                self._work_out_everyone()
            else:
                self._asked_one = True
                self._work_out(learner)
        return self._names.get(learner.pk) or learner.display_name

    def work_out(self, learners) -> None:
        """Work out, before a page names them, the names of the few people it lists: for a member who sees the
        whole organisation, one read of the people sharing any of their shown names (through the index on it),
        instead of everyone's once the page names a second person."""
        wanted = {learner.pk for learner in learners if learner.pk not in self._names}
        if self._everyone or not wanted or not self._sees_whole_organisation():
            return
        visible = self._visible().order_by().annotate(shown=shown_name_key())
        rows = visible.filter(shown__in=visible.filter(pk__in=wanted).values("shown")).values_list(
            "pk", "first_name", "preferred_name", "last_name"
        )
        self._names.update(dict.fromkeys(wanted, ""))
        self._names.update(shared_names_of(rows))

    def _sees_whole_organisation(self) -> bool:
        from .policies import ASSIGNED_ROLES

        return self._actor.role not in ASSIGNED_ROLES

    def _visible(self):
        from .selectors import learners_visible_to

        return learners_visible_to(self._actor)

    def _work_out(self, learner) -> None:
        key = shown_name_key()
        rows = list(
            self._visible()
            .order_by()
            .annotate(shown=key)
            .filter(shown=Lower(Coalesce(_preferred_or_null(Value(learner.preferred_name)), Value(learner.first_name))))
            .values_list("pk", "first_name", "preferred_name", "last_name")
        )
        self._names[learner.pk] = ""
        if len(rows) > 1:
            self._names.update(distinct_names(rows))

    def _work_out_everyone(self) -> None:
        if self._sees_whole_organisation():
            self._names.update(names_for(self._actor))
        else:  # their own few people: read them all and apply the rule here, rather than have the database group them
            rows = self._visible().order_by().values_list("pk", "first_name", "preferred_name", "last_name")
            self._names.update(shared_names_of(rows))
        self._everyone = True


def names_for_request(request) -> ShownNames | dict:
    """The names the signed-in member sees, kept for the rest of the request."""
    if request is None:
        return {}
    names = getattr(request, CACHE_ATTRIBUTE, None)
    if names is None:
        actor = getattr(request, "membership", None)
        names = ShownNames(actor) if actor is not None else {}
        setattr(request, CACHE_ATTRIBUTE, names)
    return names


def name_of(learner, names: "ShownNames | dict[int, str]") -> str:
    """The person's shown name: told apart from others where needed."""
    if isinstance(names, ShownNames):
        return names.name(learner)
    return names.get(learner.pk) or learner.display_name


def shown_name(request, learner) -> str:
    """The person's name as the signed-in member should see it (for messages written in Python)."""
    return name_of(learner, names_for_request(request))

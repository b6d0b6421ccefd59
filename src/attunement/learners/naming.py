"""How a person's name is shown, so that two people who share a first name can be told apart.

A person is shown by the name they like to be called (their preferred name, or else their first name).
Where two people the reader can see would look the same, each gets as much of their surname as tells
them apart: "Chloe J." and "Chloe T.", or "Chloe Jo." and "Chloe Ja." when the initials are the same too,
or the whole surname when one surname begins with the other.

The rule is worked out once per page (two small queries: which shown names are shared, then the people
who share them), never once per person.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Value
from django.db.models.functions import Coalesce, Lower, NullIf

CACHE_ATTRIBUTE = "_attunement_shown_names"


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


def shared_names_among(learners) -> dict[int, str]:
    """For a queryset of the people a reader can see: the told-apart names of those whose shown name is
    shared. Everyone else is shown by their usual name."""
    shown = Lower(Coalesce(NullIf("preferred_name", Value("")), "first_name"))
    shared = (
        learners.order_by()
        .annotate(shown=shown)
        .values("shown")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("shown", flat=True)
    )
    rows = (
        learners.order_by()
        .annotate(shown=shown)
        .filter(shown__in=list(shared))
        .values_list("pk", "first_name", "preferred_name", "last_name")
    )
    return distinct_names(rows)


def names_for(actor) -> dict[int, str]:
    """The told-apart names of the people this member can see whose shown name is shared."""
    from .selectors import learners_visible_to

    if actor is None:
        return {}
    return shared_names_among(learners_visible_to(actor))


def names_for_request(request) -> dict[int, str]:
    """`names_for` the signed-in member, worked out once per request."""
    if request is None:
        return {}
    names = getattr(request, CACHE_ATTRIBUTE, None)
    if names is None:
        names = names_for(getattr(request, "membership", None))
        setattr(request, CACHE_ATTRIBUTE, names)
    return names


def name_of(learner, names: dict[int, str]) -> str:
    """The person's shown name: told apart from others where needed."""
    return names.get(learner.pk) or learner.display_name


def shown_name(request, learner) -> str:
    """The person's name as the signed-in member should see it (for messages written in Python)."""
    return name_of(learner, names_for_request(request))

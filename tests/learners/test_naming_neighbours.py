"""Telling people apart by comparing each surname with its neighbours in surname order gives the same names as
comparing it with everyone who shares the first name (the rule as written), for any mix of surnames."""

from hypothesis import given, settings
from hypothesis import strategies as st

from attunement.learners.naming import _surname_part, distinct_names, shown_first


def _compared_with_everyone(people) -> dict[int, str]:
    groups: dict[str, list] = {}
    for pk, first, preferred, last in people:
        shown = shown_first(first, preferred)
        groups.setdefault(shown.casefold(), []).append((pk, shown, last or ""))
    names = {}
    for members in groups.values():
        for pk, shown, last in members:
            others = [other_last for other_pk, _, other_last in members if other_pk != pk]
            names[pk] = f"{shown} {_surname_part(last, others)}".strip() if others else shown
    return names


surnames = st.text(alphabet="AaBbJjOoßSsÉé -", max_size=6)
people = st.lists(
    st.tuples(st.sampled_from(["Chloe", "chloe", "Sam", "Jo"]), st.sampled_from(["", "Kit"]), surnames),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(people)
def test_neighbours_in_surname_order_tell_people_apart_as_comparing_with_everyone_does(rows):
    numbered = [(pk, first, preferred, last) for pk, (first, preferred, last) in enumerate(rows, start=1)]
    assert distinct_names(numbered) == _compared_with_everyone(numbered)

"""The one rule for how a person's progress moved: each group's words are true of everyone put in it, nobody is in
two groups or none, and movement down is never counted as up."""

from hypothesis import given
from hypothesis import strategies as st

from attunement.outcomes.movement import COMPARED, GROUPS, KEYS, count_groups, group_of, groups_of

steps_lists = st.lists(st.integers(min_value=-4, max_value=4), min_size=1, max_size=12)


def _words_hold(group: str, steps: list[int]) -> bool:
    """Each group's meaning, read literally off its words."""
    ups, downs, n = sum(s > 0 for s in steps), sum(s < 0 for s in steps), len(steps)
    return {
        "up_most": ups > n / 2,
        "up_some": 0 < ups <= n / 2 and downs == 0,
        "mixed": 0 < ups <= n / 2 and downs > 0,
        "same": ups == 0 and downs == 0,
        "down": downs > 0 and ups == 0,
    }[group]


@given(steps=steps_lists, reviews=st.integers(min_value=2, max_value=6))
def test_every_compared_person_is_in_exactly_the_group_whose_words_are_true_of_them(steps, reviews):
    group = group_of(steps, reviews)
    assert group in COMPARED
    assert [key for key in COMPARED if _words_hold(key, steps)] == [group]


@given(steps=steps_lists)
def test_a_person_with_fewer_than_two_reviews_has_no_movement_to_show(steps):
    assert group_of(steps, 0) == "no_review"
    assert group_of(steps, 1) == "one_review"


def test_down_on_more_items_than_up_is_never_counted_as_up():
    assert group_of([1, -1, -1, -1, 0], reviews=2) == "mixed"
    assert group_of([2, 1, 1, -3], reviews=2) == "up_most"  # up on three of four, down on one
    assert group_of([0, 0, -1], reviews=3) == "down"
    assert group_of([0, 0, 0], reviews=2) == "same"


ratings = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=5),  # person
        st.integers(min_value=1, max_value=4),  # review (in order of date)
        st.integers(min_value=1, max_value=4),  # item
        st.sampled_from(["", "area"]),
        st.integers(min_value=1, max_value=6),  # level position
    ),
    max_size=60,
)


@given(rows=ratings, unreviewed=st.integers(min_value=0, max_value=5))
def test_the_groups_add_up_to_everyone_and_match_each_persons_own_comparison(rows, unreviewed):
    rows = sorted(rows, key=lambda row: row[1])  # oldest review first, as the database gives them
    people = {row[0] for row in rows}
    counts = count_groups(rows, len(people) + unreviewed)
    assert sum(counts.values()) == len(people) + unreviewed
    assert counts["no_review"] == unreviewed
    assert set(counts) == set(KEYS) == {group.key for group in GROUPS}
    for person, group in groups_of(rows).items():
        mine = [row for row in rows if row[0] == person]
        items = {(row[2], row[3]) for row in mine}
        steps = [
            [row[4] for row in mine if (row[2], row[3]) == item][-1]
            - [row[4] for row in mine if (row[2], row[3]) == item][0]
            for item in items
        ]
        assert group == group_of(steps, len({row[1] for row in mine}))

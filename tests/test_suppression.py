"""Small-number suppression never says something false, and never lets a hidden figure be worked out.

The reader is modelled as careful: "fewer than 5" means 0 to 4, and a cell "hidden to protect privacy" next
to a total is taken to be at least 5 (only a shown cell is ever hidden that way). Every way of filling the
hidden cells that fits what the reader sees is enumerated by brute force, independently of the code."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from attunement.suppression import (
    PROTECTED,
    SHOWN,
    SMALL,
    THRESHOLD,
    average_over,
    count_of_people,
    part_of,
    suppress_counts,
    suppress_row,
)

small_rows = st.lists(st.integers(min_value=0, max_value=14), min_size=1, max_size=4).map(
    lambda values: {f"c{i}": v for i, v in enumerate(values)}
)
rows = st.dictionaries(st.text(min_size=1, max_size=3), st.integers(min_value=0, max_value=60), min_size=1, max_size=8)


def words_are_true(figure, truth: int) -> bool:
    if figure.kind == SHOWN:
        return figure.value == truth and str(figure) == str(truth)
    if figure.kind == SMALL:
        return truth < THRESHOLD and str(figure) == f"fewer than {THRESHOLD}"
    return figure.kind == PROTECTED and str(figure) == "hidden to protect privacy"


@given(counts=rows, total_shown=st.booleans())
def test_every_statement_about_a_row_is_true(counts, total_shown):
    row = suppress_counts(counts, total_shown=total_shown)
    assert set(row.cells) == set(counts)
    for key, figure in row.cells.items():
        assert words_are_true(figure, counts[key]), (key, figure, counts[key])
        if counts[key] < THRESHOLD:
            assert not figure.is_shown, "a count under the threshold is never shown"
    assert words_are_true(row.total, sum(counts.values()))
    if total_shown:
        assert row.total.is_shown == (sum(counts.values()) >= THRESHOLD), "a total is never hidden to save a cell"
    else:
        assert not row.total.is_shown
        assert all(f.kind != PROTECTED for f in row.cells.values()), "without a total nothing needs protecting"


def possible_values(row, counts) -> dict[str, set[int]]:
    """Every value each hidden cell could have, given only what the reader sees (brute force)."""
    total = sum(counts.values())
    hidden = [key for key, f in row.cells.items() if not f.is_shown]
    rest = total - sum(f.value for f in row.cells.values() if f.is_shown)
    # A careful reader takes a "hidden to protect privacy" cell to be at least 5, unless the whole row is hidden.
    everything = all(f.kind == PROTECTED for f in row.cells.values())
    ranges = [
        range(0, THRESHOLD)
        if row.cells[key].kind == SMALL
        else range(0 if everything else THRESHOLD, max(rest, THRESHOLD) + 1)
        for key in hidden
    ]
    seen: dict[str, set[int]] = {key: set() for key in hidden}
    for values in itertools.product(*ranges):
        if sum(values) == rest:
            for key, value in zip(hidden, values, strict=True):
                seen[key].add(value)
    return seen


@settings(max_examples=300)
@given(counts=small_rows)
def test_no_hidden_cell_can_be_worked_out_from_a_shown_total(counts):
    row = suppress_counts(counts, total_shown=True)
    if not row.total.is_shown:
        return  # no total to subtract from
    for key, values in possible_values(row, counts).items():
        assert counts[key] in values, "the truth is always one of the possibilities"
        assert len(values) > 1, f"{key} can be worked out exactly: {counts} -> {row.cells}"


def test_the_examples_from_the_demo_are_described_truly():
    # Oakfield: 17 pupils, 4 met their target and 13 did not. Riverside: 8 people, 6 and 2.
    oakfield = suppress_counts({"met": 4, "not_met": 13}, total_shown=True)
    assert [str(oakfield.cells["met"]), str(oakfield.cells["not_met"])] == ["fewer than 5", "hidden to protect privacy"]
    riverside = suppress_counts({"met": 6, "not_met": 2}, total_shown=True)
    assert [str(riverside.cells["met"]), str(riverside.cells["not_met"])] == [
        "hidden to protect privacy",
        "fewer than 5",
    ]
    # None and five, out of five: "fewer than 5" beside a hidden five would give the none away.
    edge = suppress_counts({"met": 0, "not_met": 5}, total_shown=True)
    assert [str(edge.total), str(edge.cells["met"]), str(edge.cells["not_met"])] == [
        "5",
        "hidden to protect privacy",
        "hidden to protect privacy",
    ]


@given(counts=rows, total_shown=st.booleans())
def test_the_plain_form_agrees_with_the_typed_one(counts, total_shown):
    typed = suppress_counts(counts, total_shown=total_shown).cells
    plain = suppress_row(counts, total_shown=total_shown)
    assert plain == {key: f.value if f.is_shown else None for key, f in typed.items()}


@given(count=st.integers(min_value=0, max_value=100))
def test_a_number_of_people_is_shown_or_truly_fewer_than_five(count):
    figure = count_of_people(count)
    assert words_are_true(figure, count)
    assert figure.is_shown == (count >= THRESHOLD)


@given(people=st.integers(min_value=0, max_value=30), total=st.integers(min_value=0, max_value=500))
def test_an_average_over_few_people_is_hidden_without_a_claim_about_its_size(people, total):
    figure = average_over(total, people)
    if people >= THRESHOLD:
        assert figure.is_shown and figure.value == round(total / people, 1)
    else:
        assert str(figure) == "hidden to protect privacy", "an average of 40 is not 'fewer than 5'"


@given(data=st.data(), total=st.integers(min_value=0, max_value=60))
def test_a_part_of_a_shown_total_never_gives_away_the_rest(data, total):
    count = data.draw(st.integers(min_value=0, max_value=total))
    figure = part_of(count, total)
    assert words_are_true(figure, count)
    if figure.is_shown:
        assert total - count >= THRESHOLD, "16 of 17 would say that exactly one has not"
    # The demo's 17 pupils, all with something seen for the first time: "17" would say none had nothing new.
    assert str(part_of(17, 17)) == "hidden to protect privacy"

"""Small-number suppression for figures shown outside the organisation. Pure: no Django.

Any figure about fewer than `THRESHOLD` people is hidden. Zero is hidden too ("none" can be as telling as
"one"), so "fewer than 5" may mean none. Where a row of counts is shown with its total, a hidden cell could
be worked out by subtraction, so more cells are hidden ("hidden to protect privacy") until none can be.

A hidden figure is never described by a statement that is false: `Figure` says which of three things a
reader is told, and its words are true of the real count:

- shown: the exact figure;
- small: "fewer than 5", only ever for a count that is truly below the threshold;
- protected: "hidden to protect privacy", for a figure hidden only so that another cannot be worked out,
  or because the group it is about is too small. It makes no claim about its size. (In a row with a total,
  such a cell was one that could have been shown, so a careful reader may guess it is at least 5; the
  checks below assume they do. Only when every cell of a row is hidden this way is nothing implied.)
"""

from collections.abc import Mapping
from dataclasses import dataclass

THRESHOLD = 5

SHOWN, SMALL, PROTECTED = "shown", "small", "protected"
PROTECTED_WORDS = "hidden to protect privacy"


@dataclass(frozen=True)
class Figure:
    """One figure as a reader outside the organisation may see it."""

    kind: str
    value: int | float | None = None
    threshold: int = THRESHOLD

    @property
    def is_shown(self) -> bool:
        return self.kind == SHOWN

    @property
    def words(self) -> str:
        if self.kind == SHOWN:
            return str(self.value)
        if self.kind == SMALL:
            return f"fewer than {self.threshold}"
        return PROTECTED_WORDS

    def __str__(self) -> str:
        return self.words


def exact(value: int | float, threshold: int = THRESHOLD) -> Figure:
    """A figure that may be shown as it is (a total of sessions, a number of meetings)."""
    return Figure(SHOWN, value, threshold)


def protected(threshold: int = THRESHOLD) -> Figure:
    return Figure(PROTECTED, None, threshold)


def count_of_people(count: int, threshold: int = THRESHOLD) -> Figure:
    """A number of people: shown from the threshold up, otherwise "fewer than" it (which is then true)."""
    return Figure(SHOWN, count, threshold) if count >= threshold else Figure(SMALL, None, threshold)


def about_enough(value: int | float | None, people: int, threshold: int = THRESHOLD) -> Figure:
    """A figure about a group (an average, a percentage, a total of sessions): shown only when the group has at
    least `threshold` people, otherwise hidden without any claim about its size."""
    if value is None or people < threshold:
        return protected(threshold)
    return exact(value, threshold)


def average_over(total: float, people: int, threshold: int = THRESHOLD) -> Figure:
    """An average over people, shown only when it is about at least `threshold` of them."""
    return about_enough(round(total / people, 1) if people else None, people, threshold)


def _bounds(figure: Figure, threshold: int, row_all_protected: bool) -> tuple[float, float]:
    """What a reader knows of a cell from its words alone. A protected cell in a row was a shown one, so a
    careful reader may take it to be at least the threshold, unless every cell of the row is protected."""
    if figure.kind == SHOWN:
        return figure.value, figure.value
    if figure.kind == SMALL:
        return 0, threshold - 1
    return (0 if row_all_protected else threshold), float("inf")


def exposed_cells(figures: Mapping[str, Figure], total: int, threshold: int = THRESHOLD) -> list[str]:
    """The hidden cells whose exact value follows from the total and the words of the others."""
    hidden = [key for key, figure in figures.items() if figure.kind != SHOWN]
    rest = total - sum(figure.value for figure in figures.values() if figure.kind == SHOWN)
    all_protected = all(figure.kind == PROTECTED for figure in figures.values())
    bounds = {key: _bounds(figures[key], threshold, all_protected) for key in hidden}
    exposed = []
    for key in hidden:
        low_others = sum(bounds[other][0] for other in hidden if other != key)
        high_others = sum(bounds[other][1] for other in hidden if other != key)
        low = max(bounds[key][0], rest - high_others)
        high = min(bounds[key][1], rest - low_others)
        if low >= high:
            exposed.append(key)
    return exposed


@dataclass(frozen=True)
class Row:
    """A row of counts of people and, if it may be shown, their total."""

    cells: dict[str, Figure]
    total: Figure


def suppress_counts(counts: Mapping[str, int], *, total_shown: bool, threshold: int = THRESHOLD) -> Row:
    """Hide each count below the threshold ("fewer than"). If the total is shown (here or anywhere else on the
    page), hide the smallest shown counts as well ("hidden to protect privacy") until no hidden count can be
    worked out from it; if even hiding every count would not do (none and five, out of five), say nothing
    about any count: all of them are "hidden to protect privacy"."""
    total = sum(counts.values())
    cells = {key: count_of_people(value, threshold) for key, value in counts.items()}
    total_figure = count_of_people(total, threshold) if total_shown else protected(threshold)
    if not total_figure.is_shown:
        return Row(cells, total_figure)
    while exposed_cells(cells, total, threshold) and any(f.is_shown for f in cells.values()):
        smallest = min((key for key, f in cells.items() if f.is_shown), key=lambda key: (counts[key], key))
        cells[smallest] = protected(threshold)
    if exposed_cells(cells, total, threshold):
        cells = {key: protected(threshold) for key in cells}
    return Row(cells, total_figure)


def part_of(count: int, total: int, threshold: int = THRESHOLD) -> Figure:
    """How many of a shown total have something ("12 of the 17 pupils counted"). The rest can be worked out
    by subtraction, so it is hidden the same way: 16 of 17 would say that exactly one has not."""
    return suppress_counts({"part": count, "rest": total - count}, total_shown=True, threshold=threshold).cells["part"]


# The plain forms, kept for code that only needs "shown or not" (None means hidden).


def shown(count: int, threshold: int = THRESHOLD) -> int | None:
    """The count if it may be shown, otherwise None."""
    return count if count >= threshold else None


def suppress_row(counts: Mapping[str, int], *, total_shown: bool, threshold: int = THRESHOLD) -> dict[str, int | None]:
    """Each count if it may be shown, otherwise None (see `suppress_counts`)."""
    row = suppress_counts(counts, total_shown=total_shown, threshold=threshold)
    return {key: figure.value if figure.is_shown else None for key, figure in row.cells.items()}


def mean_if_enough(total: float, people: int, threshold: int = THRESHOLD) -> float | None:
    """An average over people, shown only when it is about at least `threshold` of them."""
    return round(total / people, 1) if people >= threshold else None

"""Small-number suppression for figures shown outside the organisation. Pure: no Django.

Any figure about fewer than `THRESHOLD` people is hidden (zero included: "none" can be as telling as "one").
Where a row of counts is shown with its total, one hidden cell could be worked out by subtraction, so a
second cell (the smallest shown) is hidden too.
"""

from collections.abc import Mapping

THRESHOLD = 5


def shown(count: int, threshold: int = THRESHOLD) -> int | None:
    """The count if it may be shown, otherwise None (displayed as "fewer than 5")."""
    return count if count >= threshold else None


def suppress_row(counts: Mapping[str, int], *, total_shown: bool, threshold: int = THRESHOLD) -> dict[str, int | None]:
    """Hide each count under the threshold; if the total is shown and exactly one is hidden, hide one more."""
    result: dict[str, int | None] = {key: shown(value, threshold) for key, value in counts.items()}
    hidden = [key for key, value in result.items() if value is None]
    if total_shown and len(hidden) == 1:
        visible = [key for key, value in result.items() if value is not None]
        if visible:
            smallest = min(visible, key=lambda key: (counts[key], key))
            result[smallest] = None
    return result


def mean_if_enough(total: float, people: int, threshold: int = THRESHOLD) -> float | None:
    """An average over people, shown only when it is about at least `threshold` of them."""
    return round(total / people, 1) if people >= threshold else None

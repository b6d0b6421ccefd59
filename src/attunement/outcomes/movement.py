"""How a person's progress moved in a period: the one rule the dashboard and every report count by. Pure: no
Django.

Each item of the organisation's progress scale (a Fundamental, or an area of it) is compared between the
person's first and latest review in the period that rated it. A person is then put in exactly one group, so
the groups add up to everyone counted. Movement down is never hidden behind movement up: someone who went up
on some items and down on others is in a group of their own, not counted as "up"."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Group:
    key: str
    short: str  # on the dashboard's chart
    meaning: str  # in reports, and as the chart's explanation


GROUPS = (
    Group("up_most", "Up on most items", "Moved up on more than half of their items"),
    Group("up_some", "Up on some, down on none", "Moved up on some items (half or fewer) and down on none"),
    Group("mixed", "Up on some, down on others", "Moved up on some items and down on others (up on half or fewer)"),
    Group("same", "No change", "Stayed at the same level on every item"),
    Group("down", "Down only", "Moved down on some items and up on none"),
    Group("one_review", "One review so far", "Only one review in the period, so no change can be seen yet"),
    Group("no_review", "No review in the period", "No review in the period"),
)
KEYS = tuple(group.key for group in GROUPS)
# The groups in which a change could be seen (two reviews or more).
COMPARED = ("up_most", "up_some", "mixed", "same", "down")


def group_of(steps: list[int], reviews: int) -> str:
    """The group of one person: `steps` holds, for each item, its latest level minus its first (in positions on
    the scale); `reviews` is how many reviews of theirs the period holds."""
    if reviews == 0:
        return "no_review"
    if reviews == 1:
        return "one_review"
    ups, downs = sum(step > 0 for step in steps), sum(step < 0 for step in steps)
    if ups * 2 > len(steps):
        return "up_most"
    if ups and downs:
        return "mixed"
    if ups:
        return "up_some"
    if downs:
        return "down"
    return "same"


def groups_of(ratings: Iterable[tuple]) -> dict[int, str]:
    """Each reviewed person's group, from their ratings in the period, oldest review first, as (person id,
    review id, item id, area, level position). People without a rating are not in the answer."""
    first: dict[tuple, int] = {}
    last: dict[tuple, int] = {}
    reviews: dict[int, set] = defaultdict(set)
    for person_id, review_id, item_id, area, position in ratings:
        key = (person_id, item_id, area)
        first.setdefault(key, position)
        last[key] = position
        reviews[person_id].add(review_id)
    steps: dict[int, list[int]] = defaultdict(list)
    for key, start in first.items():
        steps[key[0]].append(last[key] - start)
    return {person_id: group_of(steps[person_id], len(seen)) for person_id, seen in reviews.items()}


def count_groups(ratings: Iterable[tuple], people: int) -> dict[str, int]:
    """How many of `people` (everyone counted, reviewed or not) are in each group."""
    counts = dict.fromkeys(KEYS, 0)
    for group in groups_of(ratings).values():
        counts[group] += 1
    counts["no_review"] = people - sum(counts.values())
    return counts

"""Rating a video at fixed intervals: the intervals of a video, and the four 3-point ratings of Zeedyk,
Caldwell and Davies (2009), who rated gaze, body orientation, proximity and emotional tone."""

import math
from dataclasses import dataclass

DEFAULT_INTERVAL = 30.0


@dataclass(frozen=True)
class RatingItem:
    key: str
    name: str
    points: tuple[str, str, str]  # from 1 (least connected) to 3 (most)
    short: tuple[str, str, str]  # the same in a word, for the rating sheet


ZEEDYK = (
    RatingItem(
        "gaze",
        "Gaze",
        ("Looks away", "Looks at the partner's body", "Looks at the partner's face"),
        ("Away", "Body", "Face"),
    ),
    RatingItem(
        "orientation",
        "Body orientation",
        ("Turned away", "Turned partly towards", "Turned towards"),
        ("Away", "Partly", "Towards"),
    ),
    RatingItem("proximity", "Proximity", ("Far apart", "Within reach", "Touching"), ("Far", "In reach", "Touching")),
    RatingItem(
        "tone",
        "Emotional tone",
        ("Distressed or negative", "Neutral", "Positive, enjoying it"),
        ("Negative", "Neutral", "Positive"),
    ),
)
ZEEDYK_ITEMS = {item.key: item for item in ZEEDYK}


def interval_starts(duration: float, interval: float = DEFAULT_INTERVAL) -> list[float]:
    """The start of every interval of a video `duration` seconds long: 0, 30, 60... The last one may be short;
    a video shorter than one interval has one."""
    if interval <= 0:
        raise ValueError("interval must be positive")
    count = max(1, math.ceil(round(duration / interval, 6)))
    return [round(index * interval, 3) for index in range(count)]

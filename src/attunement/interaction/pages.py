"""What this app draws on the practice pages (see practice.page_parts): the videos box on a session's page, with
each video's measurements, and the person's interaction measured over time on their progress page."""

from attunement.practice.page_parts import PROGRESS, SESSION, PagePart, page_part

from .analyses import interaction_trend
from .selectors import session_videos
from .trend_chart import trend_chart


@page_part(SESSION)
def videos_box(actor, session) -> PagePart:
    return PagePart(
        template="reflection/_session_videos.html",
        order=10,
        context={"box": session_videos(actor=actor, session=session)},
    )


@page_part(PROGRESS)
def interaction_over_time(actor, learner) -> PagePart | None:
    rows = interaction_trend(actor=actor, learner=learner)
    if not rows:
        return None
    return PagePart(
        template="reflection/_interaction_trend.html",
        order=10,
        context={"rows": rows, "chart": trend_chart(rows) if len(rows) >= 2 else None},
    )

"""The person's interaction measured from video over time, drawn on their progress page by the reflection app,
so the practice app need not know about videos."""

from django import template

from ..interaction import interaction_trend
from ..trend_chart import trend_chart

register = template.Library()


@register.inclusion_tag("reflection/_interaction_trend.html", takes_context=True)
def interaction_over_time(context, learner):
    rows = interaction_trend(actor=context["request"].membership, learner=learner)
    return {"learner": learner, "rows": rows, "chart": trend_chart(rows) if len(rows) >= 2 else None}

"""Template helpers for "never seen before": show a behaviour as a first only once, at its earliest record."""

from django import template

register = template.Library()


@register.filter
def firsts(session, first_ids) -> list:
    """The session's behaviours that are real firsts. Without `first_ids`, those marked never seen before."""
    behaviours = session.behaviours.all()
    if first_ids is None or first_ids == "":
        return [b for b in behaviours if b.novelty == "new"]
    return [b for b in behaviours if b.pk in first_ids]

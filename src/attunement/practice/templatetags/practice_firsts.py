"""Template helpers for "never seen before": show a behaviour as a first only once, at its earliest record."""

from django import template
from django.utils.html import json_script

from attunement.practice.novelty import first_behaviour_ids, history_of

register = template.Library()


@register.simple_tag
def firsts_of(people) -> set[int]:
    """The ids of the real firsts of one person, or of the people of a list of sessions (one query)."""
    if hasattr(people, "first_name"):
        return first_behaviour_ids([people.pk])
    return first_behaviour_ids({getattr(item, "learner_id", None) or item.pk for item in people})


@register.filter
def firsts(session, first_ids) -> list:
    """The session's behaviours that are real firsts. Without `first_ids`, those marked never seen before."""
    behaviours = session.behaviours.all()
    if first_ids is None or first_ids == "":
        return [b for b in behaviours if b.novelty == "new"]
    return [b for b in behaviours if b.pk in first_ids]


@register.simple_tag
def seen_before_hints(learner, editing=None):
    """The person's recorded behaviours as data for the quick log's live "Seen before" hint (not a script
    that runs: the page's own script reads it). When correcting a session, its own behaviours are left out."""
    leave_out = getattr(editing, "pk", None)
    return json_script(history_of(learner, leave_out_session_id=leave_out).hints(), "seen-before-hints")

"""`{% person_name learner %}`: the person's name, with as much of the surname as tells them apart from
someone else the reader can see who has the same first name (see attunement.learners.naming)."""

from django import template

from attunement.learners.naming import names_for_request

register = template.Library()


@register.simple_tag(takes_context=True)
def person_name(context, learner) -> str:
    if learner is None or learner == "":
        return ""
    if isinstance(learner, dict):  # a person already turned into plain data
        return learner.get("display_name", "")
    pk = getattr(learner, "pk", None)
    shown = names_for_request(context.get("request")).get(pk) if pk is not None else None
    return shown or getattr(learner, "display_name", "")

"""`{% person_name learner %}`: the person's name, with as much of the surname as tells them apart from
someone else the reader can see who has the same first name (see attunement.learners.naming)."""

from django import template

from attunement.learners.naming import name_of, names_for_request

register = template.Library()


@register.simple_tag(takes_context=True)
def person_name(context, learner) -> str:
    if learner is None or learner == "":
        return ""
    if isinstance(learner, dict):  # a person already turned into plain data
        return learner.get("display_name", "")
    if getattr(learner, "pk", None) is None:
        return getattr(learner, "display_name", "")
    return name_of(learner, names_for_request(context.get("request")))

from django import template

from attunement.learners.policies import learner_policy

register = template.Library()


@register.simple_tag(takes_context=True)
def may(context, action: str, learner) -> bool:
    """Whether the member viewing the page may do `action` for this learner (to show or hide a button)."""
    membership = getattr(context.get("request"), "membership", None)
    return learner_policy.allows(membership, action, learner)

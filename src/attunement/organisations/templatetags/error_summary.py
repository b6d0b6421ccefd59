from django import template

from attunement.forms import Problem, problems_of

register = template.Library()


@register.inclusion_tag("forms/error_summary.html")
def error_summary(*forms, messages=(), outcome="Nothing was saved."):
    """The one list of a page's problems, at the top: `messages` (the view's own, such as an edit conflict; one
    message or a list), then each form's or formset's errors, linked to their fields. Nothing is drawn when
    there are none."""
    if isinstance(messages, str):
        messages = [messages] if messages else []  # "" is a view's way of saying nothing went wrong
    problems = [Problem(str(message)) for message in messages or ()]
    for form in forms:
        problems += problems_of(form)
    return {"problems": problems, "outcome": outcome}

"""`{% chips choices "radio" %}`: a row of tappable choices (the quick log's Fundamentals, partners, phases…),
one `<label class="chip">` per choice of a form's checkbox or radio field.

Written here rather than by a template loop, which rendered each choice's parts one by one; the HTML is what
practice/_chips.html wrote, every value escaped as the template would.
`choices` is a bound field, or a list of its choices (BoundWidget); `kind` is "checkbox" (the default) or "radio".
"""

from django import template
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()


def _text(value) -> str:
    return conditional_escape(str(localize(value)))


@register.simple_tag
def chips(choices, kind: str = "") -> str:
    kind = _text(kind or "checkbox")
    parts = ['<div class="chips">']
    for choice in choices:
        data = choice.data
        label_for = _text(choice.id_for_label)
        checked = " checked" if data["selected"] else ""
        parts.append(
            f'<label class="chip" for="{label_for}"><input type="{kind}" name="{_text(data["name"])}" '
            f'value="{_text(data["value"])}" id="{label_for}"{checked}>'
            f"<span>{_text(choice.choice_label)}</span></label>"
        )
    parts.append("</div>\n")
    return mark_safe("".join(parts))  # noqa: S308  (every value in it is escaped above)

"""Links in long lists of people or sessions: each kind of link is worked out once, then filled in for each row.

`{% person_url "practice:timeline" learner.pk %}` gives the same address as `{% url %}`, but Django's URL
reversal (a few tens of microseconds) runs once per kind of link and script prefix, not once per row.
"""

from functools import lru_cache
from html import escape  # the same as django.utils.html.escape for text, without its lazy-string wrapper

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.dateformat import format as date_format
from django.utils.safestring import mark_safe

register = template.Library()

# Stand-ins for the ids while the address is worked out: numbers no real row has, found once in the address.
_STAND_INS = ("7700000001", "7700000002", "7700000003")


@lru_cache(maxsize=256)
def _pattern(name: str, count: int, prefix: str) -> str:
    return reverse(name, args=[int(stand_in) for stand_in in _STAND_INS[:count]])


@register.simple_tag
def person_url(name: str, *ids) -> str:
    address = _pattern(name, len(ids), get_script_prefix())
    for stand_in, value in zip(_STAND_INS, ids, strict=False):
        address = address.replace(stand_in, str(int(value)), 1)
    return address


def _card(person, about: str, photo: str, timeline: str, progress: str) -> str:
    if person.photo:
        avatar = f'<img class="avatar" src="{photo}" alt="" width="56" height="56">'
    else:
        avatar = f'<span class="avatar initials" aria-hidden="true">{escape(person.initials)}</span>'
    site = f'\n    <span class="muted">{escape(person.site)}</span>' if person.site else ""
    left = ""
    if not person.is_active:
        when = f" {escape(date_format(person.left_on, 'M Y'))}" if person.left_on else ""
        left = f'\n    <span class="badge retired">Left{when}</span>'
    return (
        f'  <li class="person-card">\n'
        f'    <a href="{about}" class="person-link">{avatar}'
        f"<span>{escape(person.display_name)} {escape(person.last_name)}</span></a>{site}{left}\n"
        f'    <span class="card-actions"><a href="{timeline}">Timeline</a><a href="{progress}">Progress</a></span>\n'
        f"  </li>\n"
    )


@register.simple_tag
def person_cards(people) -> str:
    """The cards of the people list (learners/list.html), one `<li>` per person: written here rather than by a
    template loop, which costs about a tenth of a millisecond a card. Each person is a
    `learners.selectors.ListedPerson`; every name, site and date is escaped as the template would."""
    prefix = get_script_prefix()
    links = [_pattern(name, 1, prefix) for name in ("learners:about", "learners:photo", "practice:timeline")]
    links.append(_pattern("practice:progress", 1, prefix))
    cards = []
    for person in people:
        pk = str(int(person.pk))
        cards.append(_card(person, *(link.replace(_STAND_INS[0], pk, 1) for link in links)))
    return mark_safe("".join(cards))  # noqa: S308  (every value in it is escaped above)

"""`{% session_cards sessions learner %}`: the timeline's session cards, one `<li>` per session.

Written here rather than by a template loop over each card's parts, which cost about half a millisecond a card;
the HTML is the same as the template wrote, and every value in it is escaped as the template would (Django's
`escape` is `html.escape`). Each session comes from `selectors.learner_timeline`: its partners and Fundamentals
prefetched, its real firsts (stored flags) as `firsts`, and `was_corrected`.
"""

from html import escape

from django import template
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from attunement.practice.session_media import CLIP_NOT_PREPARED, CLIP_PREPARING

register = template.Library()

_STAND_IN = 7700000001  # a session id no row has, replaced in the address worked out once per page


def _card(session, address: str) -> str:
    firsts = session.firsts
    heading = f"{escape(formats.date_format(timezone.localtime(session.started_at), 'l j F Y, H:i'))}"
    place = f" · {escape(session.place)}" if session.place else ""
    news = ""
    if firsts:
        moments = "".join(f' <span class="new-moment">{escape(b.description)}</span>' for b in firsts)
        news = f'<p><span class="badge new">Never seen before</span>{moments}</p>'
    partners = ", ".join(escape(str(partner)) for partner in session.partners.all()) or "—"
    details = [f"With {partners}", "planned" if session.planned else "in the moment"]
    if session.enjoyment:
        details.append(f"enjoyment: {escape(str(session.get_enjoyment_display()).lower())}")
    if session.ending:
        details.append(escape(str(session.get_ending_display()).lower()))
    if session.was_corrected:
        details.append(f'<a href="{address}#history-heading">changed after saving</a>')
    fundamentals = session.fundamentals.all()
    tags = ""
    if fundamentals:
        items = "".join(f"<li>{escape(f.name)}</li>" for f in fundamentals)
        tags = f'<ul class="tag-list" aria-label="Fundamentals seen">{items}</ul>'
    what = (
        f"<p>{escape(Truncator(session.what_happened).words(40, truncate=' …'))}</p>" if session.what_happened else ""
    )
    strip = media_strip(getattr(session, "shown_media", ()))
    media = f"      {strip}\n" if strip else ""  # a card with none is exactly as it was
    return (
        f'<li class="session-card{" has-new" if firsts else ""}">\n'
        f'      <h3><a href="{address}">{heading}</a> · {session.minutes} min{place}</h3>\n'
        f"      {news}\n"
        f'      <p class="muted">{" · ".join(details)}</p>\n'
        f"      {tags}\n"
        f"      {what}\n"
        f"{media}"
        f"    </li>"
    )


def media_strip(items) -> str:
    """The session's photos, voice notes and clips, small, each served through its permission check."""
    if not items:
        return ""
    shown = []
    for item in items:
        url = reverse("practice:media_file", kwargs={"media_id": item.pk})
        if item.kind == "photo":
            shown.append(
                f'<li><a href="{url}"><img src="{url}" alt="Photo from this session" class="media-thumb" '
                'loading="lazy"></a></li>'
            )
        elif item.kind == "audio":
            shown.append(f'<li><span>Voice note</span> <audio controls preload="none" src="{url}"></audio></li>')
        elif item.clip_preparing:
            shown.append(f'<li><span>Clip</span> <span class="media-preparing">{escape(CLIP_PREPARING)}</span></li>')
        else:
            note = f' <span class="hint">{escape(CLIP_NOT_PREPARED)}</span>' if item.clip_not_prepared else ""
            shown.append(
                f'<li><span>Clip</span> <video controls preload="none" class="media-clip" src="{url}"></video>'
                f"{note}</li>"
            )
    return f'<ul class="media-strip" aria-label="Photos, voice notes and clips">{"".join(shown)}</ul>'


@register.simple_tag
def session_cards(sessions, learner) -> str:
    pattern = reverse("practice:session", kwargs={"learner_id": learner.pk, "session_id": _STAND_IN})
    cards = [_card(session, pattern.replace(str(_STAND_IN), str(int(session.pk)), 1)) for session in sessions]
    return mark_safe("".join(cards) or "<li>No sessions match.</li>")  # noqa: S308  (every value is escaped above)

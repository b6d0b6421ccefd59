"""What this app draws on the practice pages (see practice.page_parts): the link to a session's codings."""

from attunement.practice.page_parts import SESSION, PagePart, page_part


@page_part(SESSION)
def codings_link(actor, session) -> PagePart:
    return PagePart(template="codings/_session_codings_link.html", order=20)

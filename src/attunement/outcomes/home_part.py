"""The home page's link to the organisation's term dates, for those who may set them, drawn through practice's
page parts."""

from attunement.organisations.models import Membership
from attunement.practice.page_parts import LEADING, PagePart, page_part

from .policies import term_policy


@page_part(LEADING)
def term_dates_link(actor: Membership, _record) -> PagePart | None:
    if not term_policy.role_may(actor, "manage"):
        return None
    return PagePart(template="outcomes/_leading_link.html", order=5)

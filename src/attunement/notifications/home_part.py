"""The "For you" list on the home page (and the family's own page), drawn through practice's page parts."""

from attunement.organisations.models import Membership
from attunement.practice.page_parts import HOME, PagePart, page_part

from .policies import notification_policy
from .selectors import items_for

SHOWN_ON_HOME = 5


@page_part(HOME)
def for_you_box(actor: Membership, _record) -> PagePart | None:
    if not notification_policy.role_may(actor, "view"):
        return None
    items = items_for(actor, limit=SHOWN_ON_HOME + 1)
    return PagePart(
        template="notifications/_for_you_box.html",
        order=0,
        context={"items": items[:SHOWN_ON_HOME], "more": len(items) > SHOWN_ON_HOME},
    )

"""The home page's link to the API keys, for those who may make them, drawn through practice's page parts."""

from attunement.organisations.models import Membership
from attunement.practice.page_parts import LEADING, PagePart, page_part

from .policies import api_key_policy


@page_part(LEADING)
def api_keys_link(actor: Membership, _record) -> PagePart | None:
    if not api_key_policy.role_may(actor, "manage"):
        return None
    return PagePart(template="api/_leading_link.html", order=10)

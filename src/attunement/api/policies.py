"""Who may make and revoke API keys, and which roles a key may act in."""

from django.db.models import QuerySet

from attunement.organisations.models import Membership, Role
from attunement.organisations.policies import Policy

from .models import ApiKey

# A key is linked to nobody, so a role that sees only the people it is linked to would see no one through a key:
# keys act for the whole organisation, or see the anonymised figures only.
KEY_ROLES = (Role.COORDINATOR, Role.MANAGER, Role.ADMINISTRATOR, Role.EXTERNAL)


class ApiKeyPolicy(Policy):
    actions = {"manage": {Role.ADMINISTRATOR}}
    action_words = {"manage": "make and revoke API keys"}
    outside_scope = "This key belongs to another organisation."

    def scope(self, actor: Membership) -> QuerySet[ApiKey]:
        return ApiKey.objects.filter(organisation_id=actor.organisation_id)


api_key_policy = ApiKeyPolicy()

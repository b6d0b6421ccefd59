"""Who may bring people in, change what they may do, and end their access: co-ordinators and administrators.
Only an administrator may make someone an administrator or change an administrator's access, so a co-ordinator
can never take the organisation's set-up away from the people responsible for it."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from attunement.organisations.models import Membership, Role
from attunement.organisations.policies import LEADERSHIP_ROLES, Policy

ADMINISTRATORS = frozenset({Role.ADMINISTRATOR})


class MemberPolicy(Policy):
    actions = {
        "view": LEADERSHIP_ROLES,
        "invite": LEADERSHIP_ROLES,
        "change": LEADERSHIP_ROLES,
        "end_access": LEADERSHIP_ROLES,
        "manage_administrators": ADMINISTRATORS,
        "manage_sign_in": ADMINISTRATORS,
    }
    action_words = {
        "view": "see the organisation's members",
        "invite": "invite people",
        "change": "change what a member may do",
        "end_access": "end a member's access",
        "manage_administrators": "make someone an administrator or change an administrator's access",
        "manage_sign_in": "set up single sign-on",
    }
    outside_scope = "That person is not a member of your organisation."

    def scope(self, actor: Membership) -> QuerySet[Membership]:
        if not actor.is_active:
            return Membership.objects.none()
        return Membership.objects.filter(organisation_id=actor.organisation_id)

    def require_role_choice(self, actor: Membership, role: str, current_role: str | None = None) -> None:
        """Refuse giving or taking away the administrator's role unless the actor is an administrator."""
        if Role.ADMINISTRATOR in {role, current_role}:
            self.require(actor, "manage_administrators")

    def roles_offered(self, actor: Membership) -> list[tuple[str, str]]:
        """The roles this member may give, in the order Role declares them."""
        return [
            (value, label)
            for value, label in Role.choices
            if value != Role.ADMINISTRATOR or self.role_may(actor, "manage_administrators")
        ]

    def require_not_self(self, actor: Membership, membership: Membership, doing: str) -> None:
        # An API key acts through an unsaved membership (no pk): it is never anyone's own membership.
        if actor.pk is not None and membership.pk == actor.pk:
            raise PermissionDenied(f"You cannot {doing} yourself: ask another co-ordinator or an administrator.")


member_policy = MemberPolicy()

"""The base of every policy: one set of rules answers both "may this member do this to that record"
and "which records may this member list", so a list can never show what a detail page would refuse.

The acting party is always a Membership: a user acting inside one organisation in one role.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet

from .models import Membership, Role

ORGANISATION_WIDE_ROLES = frozenset({Role.COORDINATOR, Role.MANAGER, Role.ADMINISTRATOR})
STAFF_ROLES = frozenset({Role.PRACTITIONER, Role.COORDINATOR, Role.MANAGER, Role.THERAPIST, Role.ADMINISTRATOR})
LEADERSHIP_ROLES = frozenset({Role.COORDINATOR, Role.ADMINISTRATOR})
ROLE_PLURALS = {
    Role.PRACTITIONER: "practitioners",
    Role.COORDINATOR: "co-ordinators",
    Role.MANAGER: "managers",
    Role.FAMILY: "family members",
    Role.THERAPIST: "therapists",
    Role.EXTERNAL: "external viewers",
    Role.ADMINISTRATOR: "administrators",
}


STAFF_IN_WORDS = "members of staff"


def roles_in_words(roles) -> str:
    """Roles as a plain list, in the order Role declares them: "co-ordinators, managers and administrators".
    Every staff role together is "members of staff", named first: "members of staff and family members"."""
    names = [ROLE_PLURALS[role] for role in Role if role in roles]
    if STAFF_ROLES <= set(roles):
        names = [STAFF_IN_WORDS, *(ROLE_PLURALS[role] for role in Role if role in roles and role not in STAFF_ROLES)]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def sees_whole_organisation(actor: Membership) -> bool:
    return actor.role in ORGANISATION_WIDE_ROLES


def is_staff_member(actor: Membership) -> bool:
    return actor.role in STAFF_ROLES


def leads_practice(actor: Membership) -> bool:
    """Co-ordinators and administrators shape the organisation's practice: catalogue, scales, settings."""
    return actor.role in LEADERSHIP_ROLES


SCOPE_ANSWERS = "_scope_answers"


def remember_scope_answers(actor: Membership | None) -> None:
    """Keep this member's scope answers (is this record in my scope?) on the Membership object, so a page asks
    each once however many buttons check it. The middleware reads a fresh Membership for every request, so the
    answers live exactly as long as one request, and a change to someone's role or assignments is seen by their
    next request."""
    if actor is not None and not hasattr(actor, SCOPE_ANSWERS):
        setattr(actor, SCOPE_ANSWERS, {})


class Policy:
    """Subclasses name the records an actor may see (`scope`) and which roles may do each action.

    `actions` maps an action name to the roles allowed to do it; an action is only ever allowed on a
    record that is also inside the actor's scope. `action_words` says what each action is, in the words of
    "Only <roles> can <words>.", so every refusal is worked out from the rule and names exactly the roles that
    may. `outside_scope` is the refusal for a role that may do the action, on a record outside the actor's scope.
    """

    actions: dict[str, Iterable[str]] = {}
    action_words: dict[str, str] = {}
    outside_scope = "This record is not one you can change."

    def scope(self, actor: Membership) -> QuerySet:
        raise NotImplementedError

    def allows(self, actor: Membership | None, action: str, obj: Model) -> bool:
        if actor is None or not actor.is_active:
            return False
        if action not in self.actions:
            raise ValueError(f"Unknown action {action!r} for {type(self).__name__}")
        if actor.role not in self.actions[action]:
            return False
        return self.in_scope(actor, obj)

    def in_scope(self, actor: Membership, obj: Model) -> bool:
        """Whether the record is in the actor's scope. Asked once per record during a request that keeps
        answers (see `remember_scope_answers`); otherwise asked of the database every time."""
        answers = getattr(actor, SCOPE_ANSWERS, None)
        if answers is None:
            return self.scope(actor).filter(pk=obj.pk).exists()
        key = (type(self), obj.pk)
        if key not in answers:
            answers[key] = self.scope(actor).filter(pk=obj.pk).exists()
        return answers[key]

    def found_in_scope(self, actor: Membership, obj: Model) -> None:
        """Note that `obj` was just read through this policy's scope, so a request keeping answers need not
        ask again."""
        answers = getattr(actor, SCOPE_ANSWERS, None)
        if answers is not None:
            answers[(type(self), obj.pk)] = True

    def require(
        self, actor: Membership | None, action: str, obj: Model | None = None, message: str | None = None
    ) -> None:
        """PermissionDenied unless the actor's role may do the action and, when `obj` is given, the record is in
        their scope (and any rule of the subclass's `allows` holds). The refusal names the roles that may
        (`refusal`), or says the record is out of reach (`outside_scope`). `message` replaces both, only for a
        rule that is not about roles alone (who saved a record, a family's agreement)."""
        if not self.role_may(actor, action):
            raise PermissionDenied(message or self.refusal(action))
        if obj is not None and not self.allows(actor, action, obj):
            raise PermissionDenied(message or self.outside_scope)

    def role_may(self, actor: Membership | None, action: str) -> bool:
        """Whether the actor's role may ever do this action (used to show or hide buttons)."""
        if action not in self.actions:
            raise ValueError(f"Unknown action {action!r} for {type(self).__name__}")
        return actor is not None and actor.is_active and actor.role in self.actions[action]

    def refusal(self, action: str) -> str:
        """The refusal, worked out from the roles that may: "Only co-ordinators, managers and administrators
        can add people." Written from the rule itself, so it can never name the wrong roles."""
        doing = self.action_words.get(action, "do this")
        return f"Only {roles_in_words(self.actions[action])} can {doing}."


class AuditPolicy(Policy):
    """Co-ordinators and administrators read their organisation's audit trail. Nobody edits it."""

    actions = {"view": LEADERSHIP_ROLES}
    action_words = {"view": "read the audit trail"}

    def scope(self, actor: Membership) -> QuerySet:
        from .models import AuditEntry

        return AuditEntry.objects.filter(organisation_id=actor.organisation_id)


audit_policy = AuditPolicy()

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


def roles_in_words(roles) -> str:
    """Roles as a plain list, in the order Role declares them: "co-ordinators, managers and administrators"."""
    names = [ROLE_PLURALS[role] for role in Role if role in roles]
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
    record that is also inside the actor's scope.
    """

    actions: dict[str, Iterable[str]] = {}

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

    def require(self, actor: Membership | None, action: str, obj: Model, message: str) -> None:
        if not self.allows(actor, action, obj):
            raise PermissionDenied(message)

    def role_may(self, actor: Membership | None, action: str) -> bool:
        """Whether the actor's role may ever do this action (used to show or hide buttons)."""
        return actor is not None and actor.is_active and actor.role in self.actions[action]

    def only_sentence(self, action: str, doing: str) -> str:
        """The refusal, worked out from the roles that may: "Only co-ordinators, managers and administrators
        can add people." Written from the rule itself, so it can never name the wrong roles."""
        return f"Only {roles_in_words(self.actions[action])} can {doing}."


class AuditPolicy(Policy):
    """Co-ordinators and administrators read their organisation's audit trail. Nobody edits it."""

    actions = {"view": LEADERSHIP_ROLES}

    def scope(self, actor: Membership) -> QuerySet:
        from .models import AuditEntry

        return AuditEntry.objects.filter(organisation_id=actor.organisation_id)


audit_policy = AuditPolicy()

from .models import AuditEntry, Membership


def audit_record(*, actor: Membership, action: str, learner=None, target=None) -> AuditEntry:
    return AuditEntry.objects.create(
        organisation_id=actor.organisation_id,
        actor_id=actor.user_id,
        action=action,
        learner_id=getattr(learner, "pk", None),
        target_type=type(target).__name__ if target is not None else "",
        target_id=getattr(target, "pk", None),
    )

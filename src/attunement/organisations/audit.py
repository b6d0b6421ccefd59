"""The audit trail: who did what to whose record, when, and from which address.

Services call `audit_record` for every create, change and delete; pages about a person call `audit_read`
for every read, whatever the method, when `shows_data` says the answer showed something. The address
comes from the request being served (set by `RequestAddressMiddleware`), so callers never pass it around.
"""

from contextvars import ContextVar

from .models import AuditEntry, Membership

current_address: ContextVar[str | None] = ContextVar("current_address", default=None)


def audit_record(*, actor: Membership, action: str, learner=None, target=None, detail=None) -> AuditEntry:
    return AuditEntry.objects.create(
        detail=detail or {},
        organisation_id=actor.organisation_id,
        actor_id=actor.user_id,
        action=action,
        learner_id=getattr(learner, "pk", None),
        target_type=type(target).__name__ if target is not None else "",
        target_id=getattr(target, "pk", None),
        address=current_address.get(),
    )


def audit_system(
    *, organisation_id: int | None, action: str, learner_id=None, target=None, target_type="", target_id=None
):
    """An audit entry for work done by the system itself (a scheduled task), with no acting member."""
    return AuditEntry.objects.create(
        organisation_id=organisation_id,
        actor=None,
        action=action,
        learner_id=learner_id,
        target_type=type(target).__name__ if target is not None else target_type,
        target_id=getattr(target, "pk", target_id),
    )


def audit_read(
    *, actor: Membership, what: str, learner, target_type: str = "", target_id: int | None = None, detail=None
):
    """Record that someone looked at a person's data (their profile, sessions, progress, photo…)."""
    (entry,) = audit_reads(
        actor=actor, what=what, learners=[learner], target_type=target_type, target_id=target_id, detail=detail
    )
    return entry


# Answers that show nothing: the request was refused, or asked for a method or a part of a file that is not there.
REFUSALS = frozenset({401, 403, 404, 405, 416})


def shows_data(response) -> bool:
    """The one rule for what counts as a read: any answer that shows something (every 2xx, and a 4xx page
    such as a form sent back with its errors), whatever the method. Redirects and refusals show nothing."""
    status = response.status_code
    return 200 <= status < 300 or (400 <= status < 500 and status not in REFUSALS)


def audit_reads(
    *, actor: Membership, what: str, learners, target_type: str = "", target_id: int | None = None, detail=None
):
    """One read entry for each person in `learners`: a page that names several people is recorded against
    each of them, so every person's own history of who looked at their data stays complete."""
    address = current_address.get()
    return AuditEntry.objects.bulk_create(
        AuditEntry(
            organisation_id=actor.organisation_id,
            actor_id=actor.user_id,
            action=f"{what}.read",
            learner_id=learner.pk,
            target_type=target_type,
            target_id=target_id,
            detail=detail or {},
            address=address,
        )
        for learner in learners
    )


def client_address(request) -> str | None:
    """The client's address. Behind our own reverse proxy (TRUST_X_FORWARDED_FOR), the proxy's view of the
    client is the last address it appended to X-Forwarded-For; anything before it could be forged."""
    from django.conf import settings

    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.TRUST_X_FORWARDED_FOR and forwarded:
        return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class RequestAddressMiddleware:
    """Remember the client's address for the audit entries written while serving this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_address.set(client_address(request))
        try:
            return self.get_response(request)
        finally:
            current_address.reset(token)

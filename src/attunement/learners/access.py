"""Every page about one person starts here: one place decides who may open it."""

from functools import wraps

from django.http import Http404, HttpResponseNotAllowed

from attunement.organisations.access import member_required
from attunement.organisations.audit import audit_read, shows_data
from attunement.organisations.policies import remember_scope_answers

from .models import Learner
from .policies import learner_policy
from .selectors import learner_get


def learner_or_404(request, learner_id) -> Learner:
    try:
        learner = learner_get(actor=request.membership, learner_id=learner_id)
    except Learner.DoesNotExist:
        raise Http404("No such person, or you are not assigned to them.") from None
    learner_policy.found_in_scope(request.membership, learner)
    return learner


def allowed_methods(methods) -> frozenset[str]:
    """The methods a page answers: HEAD comes with GET, because it is the same read without the body."""
    methods = {m.upper() for m in methods}
    return frozenset(methods | {"HEAD"} if "GET" in methods else methods)


def not_allowed(request, allowed: frozenset[str]):
    """A 405 with the Allow header when the request's method is not one the page answers, else None."""
    if request.method not in allowed:
        return HttpResponseNotAllowed(sorted(allowed))
    return None


def answer_and_record(request, allowed: frozenset[str] | None, answer, record=None):
    """What every guard does once the record is found and allowed: refuse a method the page does not answer
    (405), answer, and call `record` when the answer shows something (see `shows_data`)."""
    refused = not_allowed(request, allowed) if allowed else None
    if refused is not None:
        return refused
    response = answer()
    if record is not None and shows_data(response):
        record()
    return response


def learner_page(action: str, *, reads: str = "", methods=("GET",)):
    """Decorate a view of one person: the member must see the person (404 otherwise) and be allowed `action`
    (403 otherwise). The page answers only `methods` (405 otherwise; HEAD comes with GET), checked after the
    permission so a refusal never depends on the method. The view receives the learner in place of
    `learner_id`.

    When `reads` names what the page shows (for example "timeline"), every answer that shows something is
    recorded in the audit trail as `<reads>.read`, whatever the method: a page, a file, a form sent back with
    its errors. Redirects (after a write, which its service records) and refusals are not reads.

    The action, the reads and the methods are kept on the view, so tests can walk every URL and compare
    each answer with the policy's.
    """
    allowed = allowed_methods(methods)

    def decorate(view):
        @member_required
        @wraps(view)
        def wrapper(request, learner_id, *args, **kwargs):
            remember_scope_answers(request.membership)  # every button on the page asks about the same person
            learner = learner_or_404(request, learner_id)
            learner_policy.require(request.membership, action, learner)
            target_key, target_id = next(((k, v) for k, v in kwargs.items() if k.endswith("_id")), ("", None))
            return answer_and_record(
                request,
                allowed,
                lambda: view(request, learner, *args, **kwargs),
                record=(
                    lambda: audit_read(
                        actor=request.membership,
                        what=reads,
                        learner=learner,
                        target_type=target_key.removesuffix("_id"),
                        target_id=target_id,
                        detail=getattr(request, "audit_detail", None),  # set by a view that says more (a report)
                    )
                )
                if reads
                else None,
            )

        wrapper.learner_action = action
        wrapper.learner_reads = reads
        wrapper.allowed_methods = allowed
        return wrapper

    return decorate

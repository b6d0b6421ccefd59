"""Every page about one person starts here: one place decides who may open it."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404

from attunement.organisations.access import member_required
from attunement.organisations.audit import audit_read

from .models import Learner
from .policies import learner_policy
from .selectors import learner_get


def learner_or_404(request, learner_id) -> Learner:
    try:
        return learner_get(actor=request.membership, learner_id=learner_id)
    except Learner.DoesNotExist:
        raise Http404("No such person, or you are not assigned to them.") from None


def learner_page(action: str, *, reads: str = ""):
    """Decorate a view of one person: the member must see the person (404 otherwise) and be allowed `action`
    (403 otherwise). The view receives the learner in place of `learner_id`. When `reads` names what the
    page shows (for example "timeline"), every time it is shown is recorded in the audit trail.

    The action is kept on the view, so tests can walk every URL and compare each answer with the policy's.
    """

    def decorate(view):
        @member_required
        @wraps(view)
        def wrapper(request, learner_id, *args, **kwargs):
            learner = learner_or_404(request, learner_id)
            if not learner_policy.allows(request.membership, action, learner):
                raise PermissionDenied("Your role does not allow this for this person.")
            if reads and request.method == "GET":
                target_key, target_id = next(((k, v) for k, v in kwargs.items() if k.endswith("_id")), ("", None))
                audit_read(
                    actor=request.membership,
                    what=reads,
                    learner=learner,
                    target_type=target_key.removesuffix("_id"),
                    target_id=target_id,
                )
            return view(request, learner, *args, **kwargs)

        wrapper.learner_action = action
        wrapper.learner_reads = reads
        return wrapper

    return decorate

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from .access import member_required
from .forms import AuditFilterForm
from .middleware import ACTIVE_ORGANISATION_KEY
from .policies import audit_policy
from .selectors import audit_trail, memberships_of


@login_required
@require_POST
def switch_organisation(request):
    wanted = request.POST.get("organisation", "")
    if wanted.isdigit() and memberships_of(request.user).filter(organisation_id=wanted).exists():
        request.session[ACTIVE_ORGANISATION_KEY] = int(wanted)
    return redirect("home")


@member_required
@require_safe
def audit_log(request):
    actor = request.membership
    if not audit_policy.role_may(actor, "view"):
        raise PermissionDenied("Only co-ordinators and administrators can read the audit trail.")
    form = AuditFilterForm(request.GET or None, organisation=actor.organisation)
    filters = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "learner_id": data["person"].pk if data["person"] else None,
            "user_id": data["user"].pk if data["user"] else None,
            "since": data["since"],
            "until": data["until"],
        }
    page = Paginator(audit_trail(actor=actor, **filters), 50).get_page(request.GET.get("page"))
    names = _names_of_people(actor, {entry.learner_id for entry in page.object_list})
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "organisations/audit.html",
        {"form": form, "page": page, "names": names, "query": query.urlencode()},
    )


def _names_of_people(actor, ids) -> dict[int, str]:
    from attunement.learners.models import Learner

    people = Learner.objects.filter(organisation_id=actor.organisation_id, pk__in=[i for i in ids if i])
    return {person.pk: person.full_name for person in people}

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from attunement.organisations.access import member_required
from attunement.organisations.audit import audit_record

from .policies import may_see_summary
from .selectors import organisation_summary


@member_required
def summary(request):
    actor = request.membership
    if not may_see_summary(actor):
        raise PermissionDenied("This summary is for leaders and for inspectors, commissioners and funders.")
    audit_record(actor=actor, action="organisation_summary.read")
    return render(request, "outcomes/summary.html", {"summary": organisation_summary(organisation=actor.organisation)})

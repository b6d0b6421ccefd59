from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from .middleware import ACTIVE_ORGANISATION_KEY
from .selectors import memberships_of


@login_required
@require_POST
def switch_organisation(request):
    wanted = request.POST.get("organisation", "")
    if wanted.isdigit() and memberships_of(request.user).filter(organisation_id=wanted).exists():
        request.session[ACTIVE_ORGANISATION_KEY] = int(wanted)
    return redirect("home")

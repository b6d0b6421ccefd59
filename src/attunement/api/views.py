"""The API keys page: administrators make, list and revoke their organisation's keys."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from attunement.organisations.access import member_required
from attunement.organisations.service_calls import errors_onto, form_status

from . import selectors, services
from .forms import ApiKeyForm
from .models import ApiKey
from .policies import api_key_policy


@member_required
@require_http_methods(["GET", "HEAD", "POST"])
def api_keys(request):
    actor = request.membership
    api_key_policy.require(actor, "manage")
    form = ApiKeyForm(request.POST or None)
    made = None
    if request.method == "POST" and form.is_valid():
        with errors_onto(form):
            made = services.api_key_create(actor=actor, **form.cleaned_data)
            form = ApiKeyForm()
    # The secret is on this answer only: it is not kept anywhere it could be shown again.
    return render(
        request,
        "api/keys.html",
        {"form": form, "made": made, "keys": selectors.api_keys_of(actor=actor)},
        status=form_status(form),
    )


@member_required
@require_POST
def api_key_revoke(request, key_id):
    actor = request.membership
    api_key_policy.require(actor, "manage")
    try:
        key = selectors.api_key_get(actor=actor, key_id=key_id)
    except ApiKey.DoesNotExist:
        raise Http404("No such key.") from None
    services.api_key_revoke(actor=actor, key=key)
    messages.success(request, f"The key “{key.name}” is revoked: it is refused from now on.")
    return redirect("api_keys:list")

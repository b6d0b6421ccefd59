"""The "For you" page, the notification settings, and the unsubscribe link of the daily e-mail (which works
without signing in: the link's signed token names the member)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from attunement.organisations.access import member_required
from attunement.organisations.service_calls import errors_onto, form_status

from . import selectors, services
from .forms import PreferencesForm
from .models import Channel
from .policies import notification_policy
from .tokens import membership_id_from


@member_required
@require_safe
def for_you(request):
    actor = request.membership
    notification_policy.require(actor, "view")
    preferences = selectors.preferences_of(actor)
    return render(
        request,
        "notifications/for_you.html",
        {
            "items": selectors.items_for(actor),
            "nothing_chosen": all(channel == Channel.OFF for channel in preferences.values()),
        },
    )


@member_required
@require_http_methods(["GET", "HEAD", "POST"])
def notification_settings(request):
    actor = request.membership
    notification_policy.require(actor, "choose")
    form = PreferencesForm(
        request.POST or None,
        kinds=notification_policy.kinds_for(actor),
        current=selectors.preferences_of(actor),
    )
    if request.method == "POST" and form.is_valid():
        with errors_onto(form):
            services.preferences_update(actor=actor, choices=form.cleaned_data)
            messages.success(request, "Your notification choices are saved.")
            return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {"form": form}, status=form_status(form))


@csrf_exempt  # the link is followed from an e-mail, and a mail program's one-click POST (RFC 8058) has no token
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """GET asks to confirm (a link opened by a mail scanner changes nothing); POST, from the page's button or the
    mail program's one-click request, stops the daily e-mail."""
    if membership_id_from(token) is None:
        return render(request, "notifications/unsubscribe.html", {"broken": True}, status=400)
    if request.method == "POST":
        try:
            membership = services.unsubscribe_member(token)
        except ValidationError:
            return render(request, "notifications/unsubscribe.html", {"broken": True}, status=400)
        return render(request, "notifications/unsubscribe.html", {"done": True, "membership": membership})
    return render(request, "notifications/unsubscribe.html", {})

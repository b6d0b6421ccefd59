"""Saves kept on the tablet while there was no connection, and sent later by static/attunement/queue.js.

A form marked `data-offline-queue` is sent by the page itself. It says how it wants the answer in the header
`X-Attunement-Queue`:

- `live`: the person is on the form now. A save answers `{"state": "saved", "url": …}` (the page then opens
  that address, with the usual message); anything else answers `{"state": "show"}` and the page sends the form
  the ordinary way, so its problems are shown as they always are.
- `1`: a save kept on the tablet, sent later in the background. The answer is always JSON, never a page:
  `saved` or `already_saved` (with the timeline's address), `refused` with reasons in plain words (the form's
  problems, 400; no longer allowed, 403; the person is no longer open to this user, 404), or `signed_out`
  (401) when the login has ended, so the save waits on the tablet for its user to sign in again.

A save carries the `submission_key` its form was drawn with; the services save a key once, so a save sent
twice (its answer was lost on the way back) is recorded once.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.views.decorators.http import require_safe

from attunement.forms import problems_of

from . import selectors

HEADER = "X-Attunement-Queue"
LIVE = "live"

NOT_OPEN = "You can no longer add records for this person here, so this was not sent."
SIGNED_OUT = "You are signed out. Sign in again to send it."


def mode(request) -> str:
    """ "" for an ordinary page request, LIVE for a form sent by the page, "background" for a kept save."""
    value = request.headers.get(HEADER, "")
    if not value:
        return ""
    return LIVE if value == LIVE else "background"


def in_background(request) -> bool:
    return mode(request) == "background"


def saved(*, url: str, already_saved: bool) -> JsonResponse:
    if already_saved:
        return JsonResponse({"state": "already_saved", "url": url, "message": "This was already saved, once."})
    return JsonResponse({"state": "saved", "url": url, "message": "Saved."})


def refused(form) -> JsonResponse:
    """The form's problems, each in the words the page would show beside the field."""
    reasons = [problem.text for problem in problems_of(form)] or ["This could not be saved."]
    return JsonResponse({"state": "refused", "reasons": reasons}, status=400)


def answers_queue(view):
    """Let a form page answer saves sent by queue.js in JSON. The ordinary page is unchanged.

    Put it outside the page's own access checks: a refusal (403, 404) or an ended login (the view would send
    the browser to the sign-in page) becomes a JSON answer that the page can tell apart and keep the save for.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        how = mode(request)
        if not how:
            return view(request, *args, **kwargs)
        if not request.user.is_authenticated:
            return JsonResponse({"state": "signed_out", "reasons": [SIGNED_OUT]}, status=401)
        try:
            response = view(request, *args, **kwargs)
        except PermissionDenied as error:
            return _refusal(request, 403, _sentence(error) or NOT_OPEN)
        except Http404:
            return _refusal(request, 404, NOT_OPEN)
        if response.status_code in (403, 404):
            return _refusal(request, response.status_code, NOT_OPEN)
        if how == LIVE:
            if 300 <= response.status_code < 400:
                return JsonResponse({"state": "saved", "url": response["Location"]})
            return JsonResponse({"state": "show"}, status=response.status_code)
        if isinstance(response, JsonResponse):
            return response
        # Only a POST saves: any other answer to a kept save is unexpected, so it waits and is tried again.
        return JsonResponse({"state": "later", "reasons": ["This could not be sent just now."]}, status=409)

    return wrapper


def _refusal(request, status: int, reason: str) -> JsonResponse:
    """A refusal, unless this very save was recorded before (its answer was lost, then the person's link ended):
    that one is already saved, and the tablet may forget it."""
    key = request.POST.get("submission_key", "") if request.method == "POST" else ""
    if key and selectors.saved_with_key(user_id=request.user.pk, submission_key=key):
        return JsonResponse({"state": "already_saved", "url": "", "message": "This was already saved, once."})
    return JsonResponse({"state": "refused", "reasons": [reason]}, status=status)


def _sentence(error: PermissionDenied) -> str:
    text = str(error).strip()
    return text if text and len(text) < 300 else ""


@require_safe
def token(request):
    """A fresh CSRF token and the signed-in user's id, asked for before kept saves are sent: the token changes
    at sign-in, and a save is sent only in its own user's login. 401 (JSON) when nobody is signed in."""
    if not request.user.is_authenticated:
        return JsonResponse({"state": "signed_out"}, status=401)
    return JsonResponse({"csrf": get_token(request), "user": request.user.pk})


@login_required
@require_safe
def waiting(request):
    """The list of this user's saves kept on this tablet; queue.js fills it from the tablet's own storage."""
    return render(request, "practice/offline_queue.html")

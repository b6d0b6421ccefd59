"""A kind page for a form sent from a page that was open from before the person signed in again.

Signing in gives the browser a new form token, so a tab opened before that sends a token Django no longer
accepts ("CSRF verification failed"). Instead of Django's raw page, the person sees their own words, to copy
or to send again from a fresh form (with the same hidden submission key, so a form that had in fact been
saved is not saved twice).

Only what this browser has just sent is shown: never a password or a code, nothing read from the database.
The "send again" form is offered only when the person is signed in and the form came from this site (a form
from another site gets no fresh token: that is what the check is there to stop).
"""

import re

from django.middleware.csrf import REASON_CSRF_TOKEN_MISSING, REASON_NO_CSRF_COOKIE
from django.shortcuts import render

# Posted fields never shown back or sent again: the old token, and anything secret.
NEVER_SHOWN = re.compile(r"csrfmiddlewaretoken|pass|secret|token|otp|^code$|totp|recovery", re.IGNORECASE)
# Values that are the person's own words (rather than a choice, a number or a key): shown to copy or edit.
LOOKS_LIKE_WORDS = re.compile(r"[^\W\d_]")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
LONGEST_SHOWN = 10_000


def _is_stale_token(reason: str) -> bool:
    """A token that is old or missing, not a form sent from another site (that fails the origin check)."""
    return reason in (REASON_NO_CSRF_COOKIE, REASON_CSRF_TOKEN_MISSING) or reason.startswith("CSRF token from")


def _same_site(request) -> bool:
    origin = request.headers.get("Origin")
    if origin:
        return origin == f"{request.scheme}://{request.get_host()}"
    return request.headers.get("Sec-Fetch-Site") == "same-origin"


def _label(name: str) -> str:
    """A field name in words: "what_happened" → "What happened", "behaviour-0-text" → "Behaviour 1"."""
    match = re.fullmatch(r"(\w+?)-(\d+)-text", name)
    if match:
        return f"{match.group(1).replace('_', ' ').capitalize()} {int(match.group(2)) + 1}"
    return name.replace("_", " ").replace("-", " ").strip().capitalize()


def _draft(request) -> tuple[list[dict], list[tuple[str, str]]]:
    """The posted fields: the person's words (to show) and everything else (to send again unseen)."""
    words, kept = [], []
    for name in request.POST:
        if NEVER_SHOWN.search(name):
            continue
        for value in request.POST.getlist(name):
            value = value[:LONGEST_SHOWN]
            if (
                LOOKS_LIKE_WORDS.search(value)
                and not UUID.match(value.strip())
                and (" " in value.strip() or "text" in name)
            ):
                words.append(
                    {"name": name, "label": _label(name), "value": value, "long": len(value) > 60 or "\n" in value}
                )
            else:
                kept.append((name, value))
    return words, kept


def csrf_failure(request, reason: str = ""):
    """settings.CSRF_FAILURE_VIEW: answer 403 with the draft, not Django's "CSRF verification failed"."""
    sign_in_page = request.path.startswith("/accounts/")
    same_site = _same_site(request)
    words, kept = _draft(request) if same_site and not sign_in_page else ([], [])
    signed_in = request.user.is_authenticated if hasattr(request, "user") else False
    may_resend = signed_in and not sign_in_page and same_site and _is_stale_token(reason)
    return render(
        request,
        "accounts/stale_form.html",
        {
            "draft_words": words,
            "kept": kept if may_resend else [],
            "may_resend": may_resend,
            "signed_in": signed_in,
            "sign_in_page": sign_in_page,
            "from_elsewhere": not same_site,
            "had_files": bool(request.FILES) if not sign_in_page else False,
            "action": request.get_full_path(),
        },
        status=403,
    )

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

LAST_SEEN_KEY = "last_seen"
STARTED_KEY = "session_started"


class IdleTimeoutMiddleware:
    """Log out anyone who has done nothing for IDLE_TIMEOUT_MINUTES, and everyone once their session is
    SESSION_COOKIE_AGE old, however busy they have been (the absolute lifetime)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(LAST_SEEN_KEY, now)
            fresh = LAST_SEEN_KEY not in request.session
            started = request.session.get(STARTED_KEY, now)
            if now - last_seen > settings.IDLE_TIMEOUT_MINUTES * 60:
                return self._log_out(request, "You were logged out after a while with nothing happening.")
            if now - started > settings.SESSION_COOKIE_AGE:
                return self._log_out(request, "You were logged out because you have been logged in for a long time.")
            # Written only when it has moved on, so most requests leave the session (and the database) alone.
            # The idle timeout stays correct to within this resolution.
            if fresh or now - last_seen >= settings.SESSION_LAST_SEEN_RESOLUTION_SECONDS:
                request.session[LAST_SEEN_KEY] = now
            if STARTED_KEY not in request.session:
                request.session[STARTED_KEY] = now
        return self.get_response(request)

    @staticmethod
    def _log_out(request, reason: str):
        logout(request)
        messages.info(request, f"{reason} Please log in again.")
        return redirect(f"{reverse('account_login')}?next={request.path}")


# Set in the session, to an organisation's id, when a member signed in through that organisation's own provider
# and the organisation records that its provider asks every account for a second step.
SECOND_STEP_BY_PROVIDER = "second_step_by_provider"


class RequireTwoFactorMiddleware:
    """Co-ordinators, managers and administrators see a whole organisation's records, so they must set up
    a second factor before anything else; until then only the set-up pages and logging out are open."""

    OPEN_PREFIXES = ("/accounts/", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_enrol(request) and not request.path.startswith(self.OPEN_PREFIXES):
            messages.info(
                request,
                "Your role sees everyone in your organisation, so your account needs a second step at login. "
                "Please set up an authenticator app now: it takes a minute.",
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _must_enrol(request) -> bool:
        user = request.user
        if not user.is_authenticated:
            return False
        membership = getattr(request, "membership", None)
        needs = user.is_staff or (membership is not None and membership.role in settings.MFA_REQUIRED_ROLES)
        if not needs:
            return False
        if membership is not None and request.session.get(SECOND_STEP_BY_PROVIDER) == membership.organisation_id:
            return False
        from allauth.mfa.models import Authenticator

        return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class RefusedAccessMiddleware:
    """Write a security-log entry when a signed-in user is refused a page (403) or asks for one that is not there
    for them (404): the trace of someone looking for records they may not see. Static files are skipped. Only the
    path is kept, never the query string, which could hold words typed into a search."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in (403, 404) and not request.path.startswith(self._static_prefix()):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                from .security import Kind, record

                record(
                    Kind.ACCESS_REFUSED,
                    request=request,
                    user=user,
                    detail=f"{response.status_code} {request.method} {request.path}",
                )
        return response

    @staticmethod
    def _static_prefix() -> str:
        return "/" + settings.STATIC_URL.lstrip("/")

import time

from allauth.account import app_settings
from allauth.account.adapter import DefaultAccountAdapter


class InvitationOnlyAdapter(DefaultAccountAdapter):
    """Nobody signs themselves up: an administrator adds each member of staff or family."""

    def is_open_for_signup(self, request):
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Someone who typed their password moments ago is not asked for it again (for example when a
        co-ordinator is sent straight from logging in to setting up their second step)."""
        if self._just_logged_in():
            return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def _just_logged_in(self) -> bool:
        try:
            from allauth.account.internal.flows.login import get_authentication_records
        except ImportError:  # the library moved it: fall back to always asking, which is safe
            return False
        request = getattr(self, "request", None)
        if request is None or not request.user.is_authenticated:
            return False
        records = get_authentication_records(request, request.user)
        return bool(records) and time.time() - records[-1]["at"] < app_settings.REAUTHENTICATION_TIMEOUT

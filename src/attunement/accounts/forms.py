"""The second step's forms: allauth's, with the lock on wrong codes (authenticator and recovery codes alike)."""

from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm

from .security import check_second_step


class _Locked:
    def clean_code(self):
        code, error = check_second_step(self.user, context.request, super().clean_code)
        if error is not None:
            raise error
        return code


class LockingAuthenticateForm(_Locked, AuthenticateForm):
    pass


class LockingReauthenticateForm(_Locked, ReauthenticateForm):
    pass

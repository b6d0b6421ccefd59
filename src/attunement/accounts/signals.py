"""Receivers that write the security log from allauth's, django-axes' and Django's own signals."""

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from .lockout import username_of_attempt
from .security import Kind, record, user_for_email


@receiver(user_logged_in, dispatch_uid="security_log_sign_in")
def signed_in(sender, request, user, **kwargs):
    record(Kind.SIGN_IN, request=request, user=user)


def _refused_while_locked(request) -> bool:
    """django-axes refused the attempt without checking the password (it counts only attempts it checked)."""
    return bool(getattr(request, "axes_locked_out", False)) and getattr(request, "axes_failures_since_start", 0) is None


@receiver(user_login_failed, dispatch_uid="security_log_sign_in_failed")
def sign_in_failed(sender, credentials, request=None, **kwargs):
    email = username_of_attempt(request, credentials) or ""
    record(
        Kind.SIGN_IN_FAILED,
        request=request,
        user=user_for_email(email),
        email=email,
        detail="Refused without checking the password: logging in is locked for now."
        if _refused_while_locked(request)
        else "",
    )


@receiver(user_locked_out, dispatch_uid="security_log_locked_out")
def locked_out(sender, request, username=None, **kwargs):
    if _refused_while_locked(request):
        return  # the lock began earlier and was logged then; the refused attempt is logged as a failure
    if getattr(request, "axes_address_locked", False):
        detail = "Too many wrong passwords from this address, for any account."
    else:
        detail = "Too many wrong passwords for this account from this address."
    record(Kind.LOCKED_OUT, request=request, user=user_for_email(username), email=username or "", detail=detail)


@receiver(mfa_signals.authentication_failed, dispatch_uid="security_log_second_step_failed")
def second_step_failed(sender, request, user, authenticator, reauthentication=False, **kwargs):
    detail = "While confirming who they are, signed in." if reauthentication else ""
    record(Kind.SECOND_STEP_FAILED, request=request, user=user, detail=detail)


@receiver(account_signals.password_changed, dispatch_uid="security_log_password_changed")
@receiver(account_signals.password_set, dispatch_uid="security_log_password_set")
def password_changed(sender, request, user, **kwargs):
    record(Kind.PASSWORD_CHANGED, request=request, user=user)


@receiver(account_signals.password_reset, dispatch_uid="security_log_password_reset")
def password_reset(sender, request, user, **kwargs):
    record(Kind.PASSWORD_RESET, request=request, user=user)


def _kind_of(authenticator) -> str:
    return dict(Authenticator.Type.choices).get(authenticator.type, authenticator.type)


@receiver(mfa_signals.authenticator_added, dispatch_uid="security_log_authenticator_added")
def authenticator_added(sender, request, user, authenticator, **kwargs):
    record(Kind.AUTHENTICATOR_ADDED, request=request, user=user, detail=_kind_of(authenticator))


@receiver(mfa_signals.authenticator_removed, dispatch_uid="security_log_authenticator_removed")
def authenticator_removed(sender, request, user, authenticator, **kwargs):
    record(Kind.AUTHENTICATOR_REMOVED, request=request, user=user, detail=_kind_of(authenticator))


@receiver(mfa_signals.authenticator_reset, dispatch_uid="security_log_authenticator_reset")
def authenticator_reset(sender, request, user, authenticator, **kwargs):
    record(Kind.RECOVERY_CODES_RENEWED, request=request, user=user, detail=_kind_of(authenticator))

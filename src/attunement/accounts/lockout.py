from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def username_of_attempt(request, credentials) -> str | None:
    """The account a login attempt was for, whatever the credentials call it (email, username or login)."""
    credentials = credentials or {}
    for key in ("email", "username", "login"):
        value = credentials.get(key) or (request.POST.get(key) if request is not None else None)
        if value:
            return str(value).strip().lower()
    return None


class AccountAndAddressHandler(AxesDatabaseHandler):
    """django-axes' database handler, counting wrong passwords two ways within the cool-off period:

    - per account *and* address: AXES_FAILURE_LIMIT locks that account from that address only, so someone
      elsewhere cannot lock a person out by typing wrong passwords for them;
    - per address, across accounts: AXES_ADDRESS_FAILURE_LIMIT (higher, as a school shares one public address)
      locks the address, which stops one place trying a few passwords on many accounts.

    A success clears only that account's count at that address, so signing in to one's own account does not wipe
    the record of guesses at others.
    """

    def get_failures(self, request, credentials=None) -> int:
        username = get_client_username(request, credentials)
        recent = AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
        )
        account = _total(recent.filter(username=username))
        from_address = _total(recent)
        request.axes_address_locked = from_address >= settings.AXES_ADDRESS_FAILURE_LIMIT
        if request.axes_address_locked:
            return max(account, get_failure_limit(request, credentials))
        return account

    def reset_user_attempts(self, request, credentials=None) -> int:
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address).delete()
        return count


def _total(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0

"""The daily e-mail, as a background task."""

from django_tasks import task

from .services import digest_send_all


@task()
def daily_digest() -> int:
    """Send each member their daily e-mail if something new needs them. Safe to run more than once a day."""
    return digest_send_all()

"""Send today's daily e-mails: each member who has something new gets one, once a day.

Run it every hour (deploy/supervisord.conf and deploy/systemd do): the first run from NOTIFICATIONS_DIGEST_HOUR
sends the day's e-mails, and every later run that day sends nothing again, so a restart or a missed hour does no
harm.  manage.py notifications_digest
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from attunement.notifications.services import digest_send_all


class Command(BaseCommand):
    help = "Send each member today's e-mail of what needs them, if anything is new. Safe to run every hour."

    def add_arguments(self, parser):
        parser.add_argument("--any-hour", action="store_true", help="Send now, even before the usual hour.")

    def handle(self, *args, any_hour=False, **options):
        hour = settings.NOTIFICATIONS_DIGEST_HOUR
        if not any_hour and timezone.localtime().hour < hour:
            self.stdout.write(f"Not yet: the daily e-mails go out from {hour:02d}:00.")
            return
        sent = digest_send_all()
        self.stdout.write(f"Daily e-mails sent: {sent}.")

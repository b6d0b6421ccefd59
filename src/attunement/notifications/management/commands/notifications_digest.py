"""Send today's daily e-mails: each member who has something new gets one, once a day.

Run it daily (deploy/supervisord.conf and deploy/systemd do): manage.py notifications_digest
A second run on the same day sends nothing again.
"""

from django.core.management.base import BaseCommand

from attunement.notifications.services import digest_send_all


class Command(BaseCommand):
    help = "Send each member today's e-mail of what needs them, if anything is new. Safe to run twice a day."

    def handle(self, *args, **options):
        sent = digest_send_all()
        self.stdout.write(f"Daily e-mails sent: {sent}.")

from django.core.management.base import BaseCommand

from attunement.accounts.two_factor import current_code
from attunement.setup.demo import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Print the current second-step code for the demo co-ordinators and managers."

    def handle(self, *args, **options):
        self.stdout.write(f"Current code: {current_code(DEMO_TOTP_SECRET)}  (it changes every 30 seconds)")
        self.stdout.write(f"Or add this key to an authenticator app: {DEMO_TOTP_SECRET}")

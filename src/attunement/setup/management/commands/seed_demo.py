from django.core.management.base import BaseCommand

from attunement.interaction.demo_video import seed_demo_video
from attunement.setup.demo import DEMO_LOGINS, DEMO_PASSWORD, demo_exists, seed_demo


class Command(BaseCommand):
    help = "Load the demonstration organisations, staff, people and a year of sessions."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Only load when the database has no organisation.")

    def handle(self, *args, if_empty=False, **options):
        if demo_exists():
            if if_empty:
                self.stdout.write("The database already has data: the demo was not loaded again.")
                return
            self.stderr.write("The database already has organisations. Use an empty database for the demo.")
            raise SystemExit(1)
        totals = seed_demo()
        seed_demo_video()
        self.stdout.write(
            self.style.SUCCESS(
                "Demo loaded: {organisations} organisations, {staff} staff, {learners} people, "
                "{sessions} sessions, {reviews} progress reviews, and a filmed session to reflect on.".format(**totals)
            )
        )
        self.stdout.write(f"Every demo login uses the password {DEMO_PASSWORD!r}:")
        for email, role in DEMO_LOGINS:
            self.stdout.write(f"  {email:28} {role}")
        self.stdout.write("Co-ordinators and managers are asked for a second step: `manage.py demo_code` prints it.")

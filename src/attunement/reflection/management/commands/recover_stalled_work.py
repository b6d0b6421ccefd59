"""Queue again the video work (proxies, clips, analyses) whose worker stopped, or mark it failed after too many
starts. The worker (run_worker) already does this when it starts and every minute; this is for running it by hand.

    manage.py recover_stalled_work [--after SECONDS]
"""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from attunement.reflection.tasks import recover_stalled_work


class Command(BaseCommand):
    help = "Queue again video work whose worker stopped; mark it failed after too many starts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--after",
            type=int,
            default=settings.STALLED_WORK_AFTER_SECONDS,
            help="Seconds without a sign of life after which work counts as stopped (default: %(default)s).",
        )

    def handle(self, *args, after: int, **options):
        if after < 1:
            raise CommandError("--after must be at least 1 second.")
        counts = recover_stalled_work(stale_after=timedelta(seconds=after))
        self.stdout.write(
            f"Queued again: {counts['queued_again']}. Failed after too many starts: {counts['failed']}. "
            f"Task entries left running by a stopped worker, now marked failed: {counts['entries_failed']}."
        )

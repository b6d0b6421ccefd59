"""Apply the retention rules: `--dry-run` (the default) reports, `--apply` reports and then deletes.

Run it daily, for example from cron or a systemd timer:  manage.py retention_run --apply
"""

from django.core.management.base import BaseCommand, CommandError

from attunement.records.retention import RECORD_TYPE_LABELS, RECORD_TYPES
from attunement.records.services import retention_apply


class Command(BaseCommand):
    help = "Report (dry run) or delete records that have passed their organisation's retention period."

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--dry-run", action="store_true", help="Only report what would be deleted (the default).")
        mode.add_argument("--apply", action="store_true", help="Report, then delete what the report lists.")

    def handle(self, *args, apply=False, dry_run=False, **options):
        if apply and dry_run:
            raise CommandError("Choose either --dry-run or --apply.")
        report = retention_apply(dry_run=True) if not apply else None
        if apply:
            self.stdout.write("Retention run: these records have passed their retention period.")
            self._print(retention_apply(dry_run=True), verb="due")
            results = retention_apply(dry_run=False)
            self.stdout.write("Deleted:")
            self._print(results, verb="deleted")
        else:
            self.stdout.write("Retention dry run: nothing has been deleted. Run with --apply to delete.")
            self._print(report, verb="due")

    def _print(self, results, *, verb: str):
        total = 0
        for plan, counts in results:
            found = sum(counts.values())
            total += found
            held = f", {plan.held} on legal hold (kept)" if plan.held else ""
            self.stdout.write(f"{plan.organisation.name} (id {plan.organisation.pk}){held}:")
            for kind in RECORD_TYPES:
                self.stdout.write(f"  {RECORD_TYPE_LABELS[kind]:<32} {counts.get(kind, 0):>8} {verb}")
        if not results:
            self.stdout.write("  No organisations.")
        self.stdout.write(f"Total records {verb}: {total}")

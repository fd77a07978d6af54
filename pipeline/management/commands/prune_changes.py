"""Delete change log entries older than the retention window (CHANGES_RETENTION_DAYS)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from pipeline.changes import changes_prune


class Command(BaseCommand):
    help = (
        "Delete change log entries older than CHANGES_RETENTION_DAYS; consumers with an older "
        "cursor are told to resync (410)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be deleted; delete nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options):
        result = changes_prune(dry_run=dry_run)
        days = settings.CHANGES_RETENTION_DAYS
        if dry_run:
            message = f"Would delete {result.deleted} change entries older than {days} days"
        else:
            message = f"Deleted {result.deleted} change entries older than {days} days"
        if options["verbosity"] >= 1:
            self.stdout.write(f"{message} (pruned through #{result.pruned_through}).")

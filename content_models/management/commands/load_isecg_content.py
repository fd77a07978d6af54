import logging
from contextlib import contextmanager
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from content_models.seed import (
    DEFAULT_DATA_FILE,
    ContentDataError,
    SectionReport,
    content_load,
    content_read,
    display_path,
)


class Command(BaseCommand):
    help = (
        "Load the ISECG site content (pages, FAQ, member agencies, roadmap releases, placeholder "
        "media) from a YAML data file. Safe to run again: existing pages are matched by slug and "
        "only pages whose content changed are published. Writes nothing if the file has an error."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            type=Path,
            default=DEFAULT_DATA_FILE,
            help=f"The data file to load (default: {display_path(DEFAULT_DATA_FILE)}).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would be created or updated, and write nothing.",
        )

    def handle(self, *args, file: Path, dry_run: bool, verbosity: int, **options):
        self.verbosity = verbosity
        try:
            content = content_read(path=file)
            with wagtail_log_quiet(unless=verbosity >= 3):
                report = content_load(content=content, dry_run=dry_run, progress=self.section_done)
        except ContentDataError as error:
            raise CommandError(str(error)) from None
        if verbosity >= 1:
            if dry_run:
                self.stdout.write("Dry run: nothing was written.")
            elif not report.changed:
                self.stdout.write("Everything was already up to date.")
            else:
                self.stdout.write(self.style.SUCCESS(f"Loaded {content.file}."))

    def section_done(self, section: SectionReport, dry_run: bool) -> None:
        """Print one line per section, and each created or updated item at verbosity 2."""
        if self.verbosity < 1:
            return
        verbs = ("to create", "to update") if dry_run else ("created", "updated")
        self.stdout.write(
            f"{section.name}: {len(section.created)} {verbs[0]}, "
            f"{len(section.updated)} {verbs[1]}, {len(section.unchanged)} unchanged"
        )
        if self.verbosity >= 2:
            for verb, items in zip(verbs, (section.created, section.updated), strict=True):
                for item in items:
                    self.stdout.write(f"  {verb}: {item}")


@contextmanager
def wagtail_log_quiet(*, unless: bool):
    """Hold back Wagtail's line per page edited and published: the sections report them."""
    logger = logging.getLogger("wagtail")
    level = logger.level
    if not unless:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)

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
        "media) from a YAML data file. Safe to run again: existing pages are matched by slug, "
        "only pages whose content changed are published, and pages edited in the admin since are "
        "kept unless --overwrite. Writes nothing if the file has an error."
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
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help=(
                "Also replace pages that people have edited in the admin since they were loaded "
                "(kept by default)."
            ),
        )

    def handle(self, *args, file: Path, dry_run: bool, overwrite: bool, verbosity: int, **options):
        self.verbosity = verbosity
        try:
            content = content_read(path=file)
            with wagtail_log_quiet(unless=verbosity >= 3):
                report = content_load(
                    content=content,
                    dry_run=dry_run,
                    overwrite=overwrite,
                    progress=self.section_done,
                )
        except ContentDataError as error:
            raise CommandError(str(error)) from None
        if verbosity >= 1:
            if dry_run:
                self.stdout.write("Dry run: nothing was written.")
            elif not report.changed:
                kept = any(section.kept for section in report.sections.values())
                self.stdout.write(
                    "Nothing written." if kept else "Everything was already up to date."
                )
            else:
                self.stdout.write(self.style.SUCCESS(f"Loaded {content.file}."))

    def section_done(self, section: SectionReport, dry_run: bool) -> None:
        """Print one line per section, and each created or updated item at verbosity 2."""
        if self.verbosity < 1:
            return
        verbs = ("to create", "to update") if dry_run else ("created", "updated")
        line = (
            f"{section.name}: {len(section.created)} {verbs[0]}, "
            f"{len(section.updated)} {verbs[1]}, {len(section.unchanged)} unchanged"
        )
        if section.kept:
            line += f", {len(section.kept)} kept as edited in the admin (--overwrite replaces them)"
        self.stdout.write(line)
        if self.verbosity >= 2:
            for verb, items in (
                (verbs[0], section.created),
                (verbs[1], section.updated),
                ("kept", section.kept),
            ):
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

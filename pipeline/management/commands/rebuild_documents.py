"""Re-render every live page's stored document after a serializer change or a new public base.

A full run records the public base the documents now carry (pipeline.public_base);
`--if-base-changed` does nothing unless the recorded base differs from API_PUBLIC_BASE_URL.
"""

from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Page

from documents.registry import SERIALIZERS
from pipeline.public_base import base_changed, base_record, current_base, recorded_base
from pipeline.services import Rebuilt, document_rebuild

BATCH = 100


class Command(BaseCommand):
    help = (
        "Render every live page with the current serializers and store a new version (cause "
        "'rebuild') only where the document changed; live pages without a document get one."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would change; store nothing."
        )
        parser.add_argument(
            "--type",
            dest="page_type",
            choices=sorted({model.api_type for model in SERIALIZERS}),
            help="Only pages of this API type, e.g. member.",
        )
        parser.add_argument(
            "--if-base-changed",
            action="store_true",
            help=(
                "Rebuild only if the documents were rendered for another API_PUBLIC_BASE_URL "
                "than the current one (for start-up and deploy scripts)."
            ),
        )

    def handle(self, *args, dry_run=False, page_type=None, if_base_changed=False, **options):
        verbosity = options["verbosity"]
        if if_base_changed:
            if page_type is not None:
                raise CommandError("--if-base-changed rebuilds every type; leave out --type.")
            if not base_changed():
                if verbosity >= 1:
                    self.stdout.write(f"Documents already use {current_base()}; nothing to do.")
                return
            if verbosity >= 1:
                self.stdout.write(
                    f"Documents were rendered for {recorded_base()}; rebuilding them for "
                    f"{current_base()}."
                )
        pages = Page.objects.live().order_by("path")
        models = [m for m in SERIALIZERS if page_type is None or m.api_type == page_type]
        ids = list(pages.type(*models).values_list("pk", flat=True))
        counts = {Rebuilt.CREATED: 0, Rebuilt.CHANGED: 0, Rebuilt.UNCHANGED: 0}
        verb = {
            Rebuilt.CREATED: "would create" if dry_run else "created",
            Rebuilt.CHANGED: "would store a new version" if dry_run else "new version",
            Rebuilt.UNCHANGED: "unchanged",
        }
        done = 0
        for start in range(0, len(ids), BATCH):
            for page in pages.filter(pk__in=ids[start : start + BATCH]).specific():
                done += 1
                outcome = document_rebuild(page=page, dry_run=dry_run)
                counts[outcome] += 1
                if verbosity >= 2 or (verbosity >= 1 and outcome != Rebuilt.UNCHANGED):
                    self.stdout.write(
                        f"[{done}/{len(ids)}] {page.specific_class.api_type} {page.pk} "
                        f"{page.url_path}: {verb[outcome]}"
                    )
        if page_type is None and not dry_run:
            base_record()
        if verbosity >= 1:
            prefix = "Dry run: " if dry_run else ""
            self.stdout.write(
                f"{prefix}{len(ids)} live pages: {counts[Rebuilt.CHANGED]} changed, "
                f"{counts[Rebuilt.CREATED]} created, {counts[Rebuilt.UNCHANGED]} unchanged."
            )

"""Re-render every live page's stored document after a serializer change."""

from django.core.management.base import BaseCommand
from wagtail.models import Page

from documents.registry import SERIALIZERS
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

    def handle(self, *args, dry_run=False, page_type=None, **options):
        verbosity = options["verbosity"]
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
        if verbosity >= 1:
            prefix = "Dry run: " if dry_run else ""
            self.stdout.write(
                f"{prefix}{len(ids)} live pages: {counts[Rebuilt.CHANGED]} changed, "
                f"{counts[Rebuilt.CREATED]} created, {counts[Rebuilt.UNCHANGED]} unchanged."
            )

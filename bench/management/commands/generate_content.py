"""`manage.py generate_content`: synthetic published content for benchmarks."""

import time

from django.core.management.base import BaseCommand, CommandError

from bench.generation import content_generate


def _count(name: str, raw: str, *, minimum: int = 0) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise CommandError(f"--{name} must be a whole number, got {raw!r}.") from None
    if value < minimum:
        raise CommandError(f"--{name} must be at least {minimum}, got {value}.")
    return value


class Command(BaseCommand):
    help = (
        "Create synthetic, published member profiles, FAQ sections and roadmap releases in bulk "
        "(real Wagtail pages with revisions, and their pipeline documents), e.g. for benchmarks. "
        "Run it again to add more."
    )

    def add_arguments(self, parser):
        # Plain strings, checked in handle(), so a bad value is a one-line error.
        parser.add_argument("--members", default="0", help="Member profiles to create.")
        parser.add_argument("--faqs", default="0", help="FAQ sections to create.")
        parser.add_argument("--releases", default="0", help="Roadmap releases to create.")
        parser.add_argument("--seed", default=None, help="Random seed, for repeatable content.")
        parser.add_argument("--batch", default="500", help="Pages written per transaction.")

    def handle(self, *args, **options):
        counts = {kind: _count(kind, options[kind]) for kind in ("members", "faqs", "releases")}
        batch = _count("batch", options["batch"], minimum=1)
        seed = None if options["seed"] is None else _count("seed", options["seed"])
        if not any(counts.values()):
            raise CommandError("Nothing to generate: give --members, --faqs and/or --releases.")
        verbosity = options["verbosity"]
        started = time.perf_counter()

        def progress(kind: str, done: int, total: int) -> None:
            if verbosity >= 2:
                self.stdout.write(f"{kind}: {done}/{total} ({time.perf_counter() - started:.1f} s)")
            elif verbosity >= 1:
                self.stdout.write(f"{kind}: {done}/{total}")

        try:
            result = content_generate(**counts, seed=seed, batch_size=batch, progress=progress)
        except (LookupError, ValueError) as error:
            raise CommandError(str(error)) from None
        if verbosity >= 1:
            rate = result.total / result.seconds if result.seconds else 0
            self.stdout.write(
                self.style.SUCCESS(
                    f"Generated {result.total} published pages ({len(result.members)} members, "
                    f"{len(result.faqs)} FAQ sections, {len(result.releases)} roadmap releases) "
                    f"in {result.seconds:.1f} s ({rate:.0f} pages/s)."
                )
            )

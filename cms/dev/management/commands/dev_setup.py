"""Prepare the database for `make run`, one line per phase: migrate, load the ISECG content,
create the demo users, point the default site at HOST:PORT, render the documents again if the
public base moved.

The demo users' passwords are written to var/demo-passwords.txt (mode 600) when they are
generated or set, for `serve`'s banner to show; they are never printed elsewhere.
"""

import io
import os
import time
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from wagtail.models import Site

from content_models.users import demo_users_create

from .serve import DEMO_PASSWORDS_FILE, demo_passwords


class Command(BaseCommand):
    help = (
        "Migrate, load the ISECG content, create the demo users and rebuild the documents if "
        "the public base changed: what `make run` does before `serve`, one line per phase."
    )

    def handle(self, *args, verbosity, **options):
        self.verbosity = verbosity
        self.var_dir = Path(settings.VAR_DIR)
        self.phase("Database", self.migrate)
        self.phase("Content", self.load_content)
        self.phase("Demo users", self.demo_users)
        self.phase("Site", self.site)
        self.phase("Documents", self.documents)

    def phase(self, name: str, run) -> None:
        started = time.monotonic()
        summary = run()
        if self.verbosity:
            self.stdout.write(f"{name + ':':<12}{summary} ({time.monotonic() - started:.0f}s)")
            self.stdout.flush()

    def migrate(self) -> str:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        call_command("migrate", interactive=False, verbosity=0, stdout=io.StringIO())
        where = connection.settings_dict["NAME"]
        if not plan:
            return f"{where} is up to date"
        return f"{where}: applied {len(plan)} migrations"

    def load_content(self) -> str:
        out = io.StringIO()
        call_command("load_isecg_content", verbosity=1, stdout=out)
        created = updated = 0
        for line in out.getvalue().splitlines():
            # "Members: 27 created, 0 updated, 0 unchanged"
            words = line.replace(",", "").split()
            if "created" in words and "updated" in words:
                created += int(words[words.index("created") - 1])
                updated += int(words[words.index("updated") - 1])
        if not created and not updated:
            return "the ISECG content is loaded (edits made in the admin are kept)"
        return f"loaded the ISECG content: {created} items created, {updated} updated"

    def demo_users(self) -> str:
        results = demo_users_create()
        known = dict(demo_passwords(self.var_dir))
        for result in results:
            if result.generated_password is not None:
                known[result.demo.username] = result.generated_password
            elif result.password_set:
                known[result.demo.username] = os.environ[result.demo.password_variable].strip()
        if known:
            path = self.var_dir / DEMO_PASSWORDS_FILE
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text("".join(f"{user} {password}\n" for user, password in known.items()))
        created = [r.demo.username for r in results if r.created]
        if created:
            return f"created {', '.join(created)} (passwords in the banner below)"
        return ", ".join(r.demo.username for r in results) + " exist"

    def site(self) -> str:
        """Point the default site at where `serve` listens, so page links (`full_url`: "View
        live", the e-mail sent when a review is approved) reach this CMS, which sends them on
        to the frontend (content_models.models.base.ContentPage.serve)."""
        address = urlsplit(settings.WAGTAILADMIN_BASE_URL)
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            return "no default site"
        if (site.hostname, site.port) != (address.hostname, address.port or 80):
            site.hostname, site.port = address.hostname, address.port or 80
            site.save(update_fields=["hostname", "port"])
        return f"page links open {site.root_url}/..., which redirects to {settings.FRONTEND_URL}"

    def documents(self) -> str:
        out = io.StringIO()
        call_command("rebuild_documents", "--if-base-changed", verbosity=1, stdout=out)
        lines = out.getvalue().strip().splitlines()
        if len(lines) == 1:  # "Documents already use <base>; nothing to do."
            return f"media URLs use {settings.API_PUBLIC_BASE_URL.rstrip('/')}"
        # "Documents were rendered for A; rebuilding them for B." ... "N live pages: ..."
        return f"{lines[0]} {lines[-1]}"

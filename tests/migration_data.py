"""Put back the rows the migrations create (root page, locale, collection, site, groups, the
Review workflow) after a transactional test flushed them.

Tests that let a live server commit (the browser tests, the request-log test) need
transactional databases, and the flush after each one empties every table. pytest-django's
serialized rollback would restore them, but not while Playwright's event loop runs in the test
thread (the serialized copy is not visible from it), so these tests rebuild them instead.
"""

import importlib

from django.apps import apps
from django.conf import settings
from wagtail.models import Collection, Locale, Page, Site

REVIEW_MIGRATION = "content_models.migrations.0002_site_groups_and_review_workflow"


def ensure_migration_data() -> None:
    """Recreate the migrations' data when it is missing; leave it alone otherwise."""
    if Site.objects.filter(is_default_site=True).exists():
        return
    locale, _ = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    if not Collection.objects.filter(depth=1).exists():
        Collection.add_root(name="Root")
    if not Page.objects.filter(depth=1).exists():
        Page.add_root(title="Root", slug="root", locale=locale)
    importlib.import_module(REVIEW_MIGRATION).forwards(apps, None)

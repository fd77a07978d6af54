"""Purge cached API responses when the change log records a change.

Every GET answers with a strong ETag, so clients revalidate on their own; shared caches (a CDN,
Varnish) keep a response for `API_CACHE_MAX_AGE` unless told. Each `Change` names one item, and
items re-rendered because they embed it get their own `Change`, so purging per change covers
the embedders too. The URLs of one transaction are sent once, after it commits, through
`wagtail.contrib.frontend_cache` (configure `WAGTAILFRONTENDCACHE`, e.g. with
`FRONTEND_CACHE_BACKEND`); nothing is queued when no backend is configured.

Django's cache holds anonymous answers with the feed position they were made at
(`api.middleware`): a new change moves the position, so there is nothing to delete there.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django_tasks.base import TASK_MAX_PRIORITY
from wagtail.contrib.frontend_cache.tasks import purge_urls_from_cache_task

from documents.paths import PAGES, RELEASES, collection_of, collection_path, item_path

from .models import Change, PublishedVersion

HIDING_ACTIONS = {
    Change.Action.UNPUBLISHED,
    Change.Action.DELETED,
    Change.Action.VISIBILITY_CHANGED,
}


def change_api_paths(change: Change) -> set[str]:
    """Return the API paths (with query) whose responses this change may have changed."""
    collections = {PAGES, collection_of(change.type)}
    paths = {collection_path("changes")}
    if change.release_id is not None:  # the release is now listed among published releases
        paths |= {collection_path(RELEASES), item_path(RELEASES, change.release_id)}
    for collection in collections:
        item = item_path(collection, change.page_id)
        paths |= {collection_path(collection), item, f"{item}versions/"}
        if change.action in HIDING_ACTIONS and change.version:
            # Versions stop (or start) being served to anonymous callers.
            paths |= {f"{item}versions/{n}/" for n in range(1, change.version + 1)}
    resolve = collection_path(f"{PAGES}/resolve")
    for url_path in _url_paths(change):
        # A CDN keys on the query as sent: purge `?path=/a/b/` and `?path=%2Fa%2Fb%2F`.
        for safe in ("/", ""):
            paths.add(f"{resolve}?{urlencode({'path': url_path}, safe=safe)}")
    return paths


def _url_paths(change: Change) -> set[str]:
    """Return the frontend paths of the item before and after this change (a move has two)."""
    if not change.version:
        return set()
    versions = PublishedVersion.objects.filter(
        page_id=change.page_id, number__in=[change.version, change.version - 1]
    ).only("body")
    return {path for version in versions if (path := version.url_path)}


class PurgeBatch:
    """The URLs one transaction's changes affect, sent once when it commits.

    Wagtail's purge task, at the front of the queue: a publish must show through the cache
    within seconds, even behind a backlog of search-index updates (a bulk load queues hundreds).
    """

    def __init__(self) -> None:
        self.urls: set[str] = set()

    def send(self) -> None:
        if self.urls:
            purge = purge_urls_from_cache_task.using(priority=TASK_MAX_PRIORITY)
            purge.enqueue(sorted(self.urls), None, None)


def purge_changes(changes: Sequence[Change]) -> None:
    """Queue the purge of what changes affect, to be sent once their transaction commits.

    A change listener: called inside the transaction that recorded the changes. The batch
    lives in the transaction's own commit hooks, so it goes (or is dropped) with the
    transaction, and one transaction sends one purge.
    """
    if not settings.WAGTAILFRONTENDCACHE:
        return
    base = settings.API_BASE_URL.rstrip("/")
    urls = {base + path for change in changes for path in change_api_paths(change)}
    connection = transaction.get_connection()
    batch = next(
        (
            hook.__self__
            for _, hook, _ in connection.run_on_commit
            if isinstance(getattr(hook, "__self__", None), PurgeBatch)
        ),
        None,
    )
    if batch is None:
        batch = PurgeBatch()
        batch.urls |= urls
        transaction.on_commit(batch.send, robust=True)
    else:
        batch.urls |= urls

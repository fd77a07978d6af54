"""Purge cached API responses when the change log records a change.

Every GET answers with a strong ETag, so clients revalidate on their own; shared caches (a CDN,
Varnish) keep a response for `API_CACHE_MAX_AGE` unless told. Each `Change` names one item, and
items re-rendered because they embed it get their own `Change`, so purging per change covers
the embedders too. The URLs of one transaction are sent once, after it commits, through
`wagtail.contrib.frontend_cache` (configure `WAGTAILFRONTENDCACHE`, e.g. with
`FRONTEND_CACHE_BACKEND`); nothing is queued when no backend is configured.

Django's cache holds only anonymous list bodies, keyed by the feed's position
(`api.caching.public_list`): a new change means new keys, so there is nothing to delete there.
"""

from __future__ import annotations

import json
import threading
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache

from api.rendering import COLLECTION_BY_TYPE

from .models import Change, PublishedVersion

API = "/api/v1"
HIDING_ACTIONS = {
    Change.Action.UNPUBLISHED,
    Change.Action.DELETED,
    Change.Action.VISIBILITY_CHANGED,
}

_pending = threading.local()


def change_api_paths(change: Change) -> set[str]:
    """Return the API paths (with query) whose responses this change may have changed."""
    collections = {"pages", COLLECTION_BY_TYPE.get(change.type, "pages")}
    paths = {f"{API}/changes/"}
    for collection in collections:
        item = f"{API}/{collection}/{change.page_id}/"
        paths |= {f"{API}/{collection}/", item, f"{item}versions/"}
        if change.action in HIDING_ACTIONS and change.version:
            # Versions stop (or start) being served to anonymous callers.
            paths |= {f"{item}versions/{n}/" for n in range(1, change.version + 1)}
    for url_path in _url_paths(change):
        # A CDN keys on the query as sent: purge `?path=/a/b/` and `?path=%2Fa%2Fb%2F`.
        for safe in ("/", ""):
            paths.add(f"{API}/pages/resolve/?{urlencode({'path': url_path}, safe=safe)}")
    return paths


def _url_paths(change: Change) -> set[str]:
    """Return the frontend paths of the item before and after this change (a move has two)."""
    if not change.version:
        return set()
    bodies = PublishedVersion.objects.filter(
        page_id=change.page_id, number__in=[change.version, change.version - 1]
    ).values_list("body", flat=True)
    return {path for body in bodies if (path := json.loads(body).get("url_path"))}


def purge_change(change: Change) -> None:
    """Queue the purge of what a change affects, to be sent once its transaction commits.

    A change listener: called inside the transaction that recorded the change. URLs gathered by
    a transaction that rolls back are sent with the next commit in this thread: purging a
    response that did not change costs a cache miss, never a wrong answer.
    """
    if not settings.WAGTAILFRONTENDCACHE:
        return
    base = settings.API_BASE_URL.rstrip("/")
    _pending_urls().update(base + path for path in change_api_paths(change))
    transaction.on_commit(purge_pending, robust=True)


def purge_pending() -> None:
    """Send the URLs gathered so far to the frontend cache backends (through a task)."""
    urls = _pending_urls()
    if urls:
        batch = sorted(urls)
        urls.clear()
        purge_urls_from_cache(batch)


def _pending_urls() -> set[str]:
    if not hasattr(_pending, "urls"):
        _pending.urls = set()
    return _pending.urls

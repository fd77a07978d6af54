"""The pipeline's bulk path: the first publish of many new pages at once.

Publishing thousands of synthetic pages one by one (`revision.publish()` fires a dozen writes and
queries per page) takes minutes; loading and benchmarking need the same documents in seconds.
This records what `services.item_publish` records for a first publish (version 1, the live
document, its dependencies, one `published` feed entry per page, the change listeners called)
through the same render-and-store step and the same feed builder, a few statements per batch.
It only applies to pages published for the first time, whose documents nothing embeds yet, so
no dependents need re-rendering.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from wagtail.models import Page, Revision

from documents.audience import audience_for_page
from documents.paths import site_root_url_path

from .changes import Entry, changes_append, feed_lock
from .models import Change, PublishedVersion
from .versions import document_render, versions_store


@transaction.atomic
def items_publish_new(
    *,
    pages: Sequence[Page],
    revisions: dict[int, Revision],
    parent: Page,
    published_at: datetime | None = None,
) -> list[PublishedVersion]:
    """Record the first publish of live pages that are all children of `parent`.

    `pages` are specific instances loaded from the database (relations prefetched, if any);
    `revisions` maps each page id to the revision it was published from.
    """
    if not pages:
        return []
    feed_lock()  # first, as every pipeline write does
    now = published_at or timezone.now()
    # A new leaf page has no view restriction of its own: it has its parent's audience.
    audience = audience_for_page(pages[0])
    root_url_path = site_root_url_path() or "/"
    rendered = []
    for page in pages:
        page._cached_parent_obj = parent  # treebeard's cache: `parent_id` needs no query
        item = document_render(page, audience=audience, root_url_path=root_url_path)
        item.revision = revisions.get(page.pk)
        rendered.append(item)
    versions = versions_store(
        rendered,
        cause=PublishedVersion.Cause.PUBLISH,
        numbers={page.pk: 1 for page in pages},
        published_at=now,
    )
    changes_append(
        entries=[
            Entry(Change.Action.PUBLISHED, v.page_id, v.type, v.number, [audience])
            for v in versions
        ],
        at=now,
    )
    return versions

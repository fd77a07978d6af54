"""The pipeline's bulk path: what `services.item_publish` records, for many new pages at once.

Publishing thousands of synthetic pages one by one (`revision.publish()` fires a dozen writes and
queries per page) takes minutes; loading and benchmarking need the same documents in seconds.
These functions render and store exactly what a first publish stores (version 1, the live
document, its dependencies, one `published` feed entry per page, the change listeners called), in
a few bulk statements per batch. They only apply to pages published for the first time, whose
documents nothing embeds yet, so no dependents need re-rendering.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from wagtail.models import Page, Revision

from api.rendering import RenderContext, page_type_of
from api.serializers.registry import etag_of, render_document

from . import services
from .audience import Audience, audience_for_page
from .models import Change, DocumentDependency, LiveDocument, PublishedVersion


def _first_render(page: Page, *, audience: Audience, root_url_path: str) -> tuple[str, set]:
    """Render version 1 of a page, as `services._render` does, sharing the site root lookup."""
    context = RenderContext(audience=audience, version=1)
    context.__dict__["_root_url_path"] = root_url_path  # the cached_property, looked up once
    return render_document(page, context), context.dependencies


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
    services._feed_lock()  # first, as every pipeline write does (see services._feed_lock)
    now = published_at or timezone.now()
    # A new leaf page has no view restriction of its own: it has its parent's audience.
    audience = audience_for_page(pages[0])
    root_url_path = RenderContext()._root_url_path
    versions, dependencies = [], []
    for page in pages:
        page._cached_parent_obj = parent  # treebeard's cache: `parent_id` needs no query
        body, depends_on = _first_render(page, audience=audience, root_url_path=root_url_path)
        revision = revisions.get(page.pk)
        versions.append(
            PublishedVersion(
                page_id=page.pk,
                number=1,
                type=page_type_of(page),
                body=body,
                etag=etag_of(body),
                cause=PublishedVersion.Cause.PUBLISH,
                revision=revision,
                published_by=revision.user if revision is not None and revision.user_id else None,
                published_at=now,
                audience=audience,
            )
        )
        dependencies.append(sorted(depends_on))
    PublishedVersion.objects.bulk_create(versions)
    documents = LiveDocument.objects.bulk_create(
        LiveDocument(page_id=v.page_id, version=v, is_public=not audience, audience=audience)
        for v in versions
    )
    DocumentDependency.objects.bulk_create(
        DocumentDependency(document=document, kind=kind, target_id=target_id)
        for document, depends_on in zip(documents, dependencies, strict=True)
        for kind, target_id in depends_on
    )
    changes_append_bulk(
        entries=[(Change.Action.PUBLISHED, v.page_id, v.type, v.number) for v in versions],
        audiences=[audience],
        at=now,
    )
    return versions


@transaction.atomic
def changes_append_bulk(
    *,
    entries: Sequence[tuple[str, int, str, int | None]],
    audiences: list[Audience],
    at: datetime | None = None,
) -> list[Change]:
    """Append (action, page_id, type, version) entries in one go, in order, under the feed lock.

    Same contract as `services.change_append`: consecutive seqs, taken while `FeedState` is
    locked, and each change listener (e.g. the webhook outbox) called with each entry.
    """
    if not entries:
        return []
    state = services._feed_lock()
    now = at or timezone.now()
    is_public = any(not audience for audience in audiences)
    changes = [
        Change(
            seq=state.last_seq + offset,
            action=action,
            page_id=page_id,
            type=page_type,
            version=version,
            at=now,
            event_id=Change.new_event_id(),
            is_public=is_public,
            audiences=audiences,
        )
        for offset, (action, page_id, page_type, version) in enumerate(entries, start=1)
    ]
    Change.objects.bulk_create(changes)
    state.last_seq += len(changes)
    state.save(update_fields=["last_seq"])
    for change in changes:
        for listener in services.change_listeners:
            listener(change)
    return changes

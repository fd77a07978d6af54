"""The site as a release would leave it: the documents a release changes, rendered now.

Each page the release publishes is rendered from its pinned revision by the delivery
serializers, in a `RenderContext` where every page of the release stands in for its live row
(an unpublished one for nothing), exactly as `pipeline.versions.document_render` renders a
publish: so a roadmap release shows a member's new name from the same release. Then the live
documents that embed a page of the release are rendered again the same way, transitively,
as publishing would re-render them; those whose bytes do not change are left out. Every other
document is the live one.

`api` reads the overlay for a request carrying a valid release token. It is built per process
and kept for that release's items at one feed position (any publish moves it) for at most
`OVERLAY_SECONDS`: never in a shared cache, never for another caller.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from wagtail.models import Page

from documents.audience import Audience, audience_for_page
from documents.registry import etag_of, is_delivered
from documents.rendering import page_type_of
from pipeline.changes import feed_position
from pipeline.models import LiveDocument
from pipeline.versions import Rendered, document_render, next_numbers

from .models import Release, ReleaseItem

OVERLAY_SECONDS = 60  # bounds what the feed does not record (an edited image) going unseen
OVERLAYS_KEPT = 16


@dataclass(frozen=True)
class OverlayDocument:
    """A document as the release would leave it."""

    page_id: int
    type: str
    url_path: str  # the page's Wagtail url_path once the release is published
    body: str
    etag: str
    published_at: datetime
    audience: Audience


@dataclass(frozen=True)
class ReleaseOverlay:
    """What a release changes in the delivery API: documents, hidden pages, field values.

    `pages` holds the release's version of each page it publishes: list filters and ordering
    read their field values from it instead of the page's row.
    """

    release_id: int
    documents: Mapping[int, OverlayDocument]
    hidden: frozenset[int]
    pages: Mapping[int, Page]
    by_url_path: Mapping[str, OverlayDocument] = field(default_factory=dict)

    @property
    def page_ids(self) -> frozenset[int]:
        """Every page whose answer the overlay decides (a document, or hidden)."""
        return frozenset(self.documents) | self.hidden


def overlay_build(release: Release) -> ReleaseOverlay:
    """Render the documents of the site as `release` would leave it."""
    items = list(release.items.filter(active=True).select_related("revision"))
    stand_ins: dict[int, Page | None] = {}
    for item in items:
        if item.action == ReleaseItem.Action.UNPUBLISH:
            stand_ins[item.page_id] = None
        elif item.revision is not None and item.revision.content_object is not None:
            stand_ins[item.page_id] = item.revision.as_object()
    now = timezone.now()
    numbers = next_numbers(list(stand_ins))
    documents: dict[int, OverlayDocument] = {}
    for page_id, page in stand_ins.items():
        if page is None or not is_delivered(page):
            continue
        page.live = True
        page.last_published_at = now
        page.first_published_at = page.first_published_at or now
        rendered = document_render(page, audience=audience_for_page(page), pages=stand_ins)
        documents[page_id] = _document(rendered, numbers[page_id], now)
    documents |= _embedders(stand_ins, now)
    return ReleaseOverlay(
        release_id=release.pk,
        documents=documents,
        hidden=frozenset(page_id for page_id, page in stand_ins.items() if page is None),
        pages={page_id: page for page_id, page in stand_ins.items() if page is not None},
        by_url_path={document.url_path: document for document in documents.values()},
    )


def _embedders(stand_ins: dict[int, Page | None], now: datetime) -> dict[int, OverlayDocument]:
    """Render again the live documents that embed the release's pages, as a publish would."""
    documents = {}
    seen = set(stand_ins)
    queue = list(stand_ins)
    while queue:
        target = queue.pop(0)
        embedding = (
            LiveDocument.objects.filter(dependencies__kind="page", dependencies__target_id=target)
            .exclude(page_id__in=seen)
            .select_related("version")
        )
        for live in embedding:
            seen.add(live.page_id)
            page = Page.objects.get(pk=live.page_id).specific
            rendered = document_render(page, audience=audience_for_page(page), pages=stand_ins)
            if rendered.body(live.version.number) == live.version.body:
                continue
            documents[page.pk] = _document(rendered, live.version.number + 1, now)
            queue.append(page.pk)
    return documents


def _document(rendered: Rendered, number: int, now: datetime) -> OverlayDocument:
    body = rendered.body(number)
    return OverlayDocument(
        page_id=rendered.page.pk,
        type=page_type_of(rendered.page),
        url_path=rendered.page.url_path,
        body=body,
        etag=etag_of(body),
        published_at=now,
        audience=rendered.audience,
    )


# Kept per process ----------------------------------------------------------------------------

_kept: OrderedDict[int, tuple[tuple, float, ReleaseOverlay]] = OrderedDict()
_lock = threading.Lock()


def release_overlay(release: Release) -> ReleaseOverlay:
    """Return the overlay of a release, built at most once per items, feed position and
    `OVERLAY_SECONDS` in this process."""
    items = release.items.filter(active=True).order_by("pk")
    key = (tuple(items.values_list("pk", "page_id", "action", "revision_id")), feed_position())
    with _lock:
        kept = _kept.get(release.pk)
    if kept is not None and kept[0] == key and time.monotonic() - kept[1] < OVERLAY_SECONDS:
        return kept[2]
    overlay = overlay_build(release)
    with _lock:
        _kept[release.pk] = (key, time.monotonic(), overlay)
        _kept.move_to_end(release.pk)
        while len(_kept) > OVERLAYS_KEPT:
            _kept.popitem(last=False)
    return overlay

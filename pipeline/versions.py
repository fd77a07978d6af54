"""Render and store: the one step that turns live pages into published versions.

A page is rendered once for its audience (`document_render`); `versions_store` then freezes the
bytes as `PublishedVersion`s, points each page's `LiveDocument` at its new version and records
what it embeds, in a few statements for any number of pages. Every path that publishes (a
single publish, a re-render, a bulk load) goes through both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Max
from django.utils import timezone
from wagtail.models import Page, Revision

from documents.audience import Audience
from documents.registry import dump_json, etag_of, render_data
from documents.rendering import RenderContext, page_type_of

from .models import DocumentDependency, LiveDocument, PublishedVersion


@dataclass
class Rendered:
    """A page rendered for its audience; `data["version"]` is filled in when it is stored."""

    page: Page
    audience: Audience
    data: dict
    dependencies: set[tuple[str, int]] = field(default_factory=set)
    revision: Revision | None = None

    def body(self, number: int) -> str:
        """Return the document's bytes as version `number`."""
        return dump_json({**self.data, "version": number})


def document_render(
    page: Page,
    *,
    audience: Audience,
    root_url_path: str | None = None,
    pages: Mapping[int, Page | None] | None = None,
) -> Rendered:
    """Render a live page's document for `audience` (the site root path may be passed in once
    for many pages; `pages` stands in for pages it links to, see `RenderContext`)."""
    context = RenderContext(audience=audience, pages=pages)
    if root_url_path is not None:
        context.__dict__["_root_url_path"] = root_url_path  # the cached_property, looked up once
    data = render_data(page, context)
    return Rendered(page=page, audience=audience, data=data, dependencies=context.dependencies)


def next_numbers(page_ids: Sequence[int]) -> dict[int, int]:
    """Return the next version number of each page (1 for a page never published)."""
    current = dict(
        PublishedVersion.objects.filter(page_id__in=page_ids)
        .values("page_id")
        .annotate(n=Max("number"))
        .values_list("page_id", "n")
    )
    return {page_id: current.get(page_id, 0) + 1 for page_id in page_ids}


def versions_store(
    rendered: Sequence[Rendered],
    *,
    cause: str,
    numbers: dict[int, int] | None = None,
    published_at: datetime | None = None,
) -> list[PublishedVersion]:
    """Store each rendered page as its next version and make it the page's live document.

    Ends the previous live version of each page, replaces its live document and what it
    embeds. Call under the feed lock (`changes.feed_lock`), which keeps the numbers free.
    """
    if not rendered:
        return []
    page_ids = [item.page.pk for item in rendered]
    numbers = numbers or next_numbers(page_ids)
    now = published_at or timezone.now()
    PublishedVersion.objects.filter(page_id__in=page_ids, live_until__isnull=True).update(
        live_until=now
    )
    versions = []
    for item in rendered:
        body = item.body(numbers[item.page.pk])
        versions.append(
            PublishedVersion(
                page_id=item.page.pk,
                number=numbers[item.page.pk],
                type=page_type_of(item.page),
                body=body,
                etag=etag_of(body),
                cause=cause,
                revision=item.revision,
                published_at=now,
                audience=item.audience,
            )
        )
    PublishedVersion.objects.bulk_create(versions)
    LiveDocument.objects.filter(page_id__in=page_ids).delete()  # its dependencies go with it
    documents = LiveDocument.objects.bulk_create(
        LiveDocument(
            page_id=version.page_id,
            version=version,
            is_public=not item.audience,
            audience=item.audience,
        )
        for version, item in zip(versions, rendered, strict=True)
    )
    DocumentDependency.objects.bulk_create(
        DocumentDependency(document=document, kind=kind, target_id=target_id)
        for document, item in zip(documents, rendered, strict=True)
        for kind, target_id in sorted(item.dependencies)
    )
    return versions

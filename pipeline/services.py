"""The publisher: what the pipeline records when content changes.

Plain functions that a signal receiver, a command, a view and a task can all call. Each runs in
the caller's transaction (or its own) and takes the feed lock first, so a failure leaves no
version, no feed entry, no event. Rendering and storing go through `versions`; feed entries
through `changes`.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from wagtail.models import Page

from documents.audience import Audience, audience_for_page
from documents.registry import is_delivered

from .changes import change_append, feed_lock
from .models import Change, DocumentDependency, LiveDocument, PublishedVersion
from .versions import Rendered, document_render, versions_store


def _record(
    rendered: Rendered, *, cause: str, action: str = Change.Action.PUBLISHED
) -> PublishedVersion:
    """Store a rendered page as its next version and append the feed entry saying so."""
    (version,) = versions_store([rendered], cause=cause)
    change_append(
        action=action,
        page_id=version.page_id,
        page_type=version.type,
        version=version.number,
        audiences=[rendered.audience],
    )
    return version


@transaction.atomic
def item_publish(
    *, page: Page, revision=None, cause: str = PublishedVersion.Cause.PUBLISH
) -> PublishedVersion | None:
    """Record a publish: a new version of the page, a feed entry, and re-rendered embedders."""
    feed_lock()
    page = Page.objects.get(pk=page.pk).specific  # the live row, never an in-memory draft
    if not page.live or not is_delivered(page):
        return None
    previous = LiveDocument.objects.filter(page_id=page.pk).select_related("version").first()
    rendered = document_render(page, audience=audience_for_page(page))
    rendered.revision = revision
    version = _record(rendered, cause=cause)
    if previous is not None and previous.version.url_path != version.url_path:
        _refresh_descendants(page, action=Change.Action.MOVED)
    dependents_refresh(targets=[("page", page.pk)], exclude={page.pk})
    return version


@transaction.atomic
def item_unpublish(*, page: Page) -> Change | None:
    """Record an unpublish: the live document goes away, versions stay but are not served.

    Only what the database says counts: before deleting a live page, Wagtail unpublishes it
    without saving (the row is still live), and the delete records that one (`item_delete`).
    """
    feed_lock()
    if Page.objects.filter(pk=page.pk, live=True).exists():
        return None
    document = LiveDocument.objects.filter(page_id=page.pk).select_related("version").first()
    if document is None:
        return None
    version = document.version
    document.delete()
    _versions_end(page.pk)
    change = change_append(
        action=Change.Action.UNPUBLISHED,
        page_id=page.pk,
        page_type=version.type,
        version=version.number,
        audiences=[document.audience],
    )
    dependents_refresh(targets=[("page", page.pk)])
    return change


def live_audience(*, page_id: int) -> Audience | None:
    """Return the audience of a page's live document (None when it has none)."""
    return LiveDocument.objects.filter(page_id=page_id).values_list("audience", flat=True).first()


@transaction.atomic
def item_delete(*, page_id: int, audience: Audience | None) -> Change | None:
    """Record the deletion of a page that was ever published.

    `audience` is the one its live document had (None if it was not live): it decides who
    sees the entry.
    """
    feed_lock()
    latest = PublishedVersion.objects.filter(page_id=page_id).order_by("-number").first()
    if latest is None:
        return None
    _versions_end(page_id)
    change = change_append(
        action=Change.Action.DELETED,
        page_id=page_id,
        page_type=latest.type,
        version=latest.number,
        audiences=[audience if audience is not None else []],
    )
    dependents_refresh(targets=[("page", page_id)])
    return change


def _versions_end(page_id: int) -> None:
    PublishedVersion.objects.filter(page_id=page_id, live_until__isnull=True).update(
        live_until=timezone.now()
    )


@transaction.atomic
def item_move(*, page: Page) -> None:
    """Record a move: the page and its live descendants have new paths (and maybe audiences)."""
    feed_lock()
    _refresh_descendants(page, action=Change.Action.MOVED)


def visibility_refresh_page(*, page_id: int) -> None:
    """Re-evaluate visibility under a page whose view restrictions changed (if it still exists)."""
    page = Page.objects.filter(pk=page_id).first()
    if page is not None:
        visibility_refresh(page=page)


@transaction.atomic
def visibility_refresh(*, page: Page) -> None:
    """Re-evaluate who may read the page and its descendants after a view restriction changed."""
    feed_lock()
    for document in _live_documents_under(page):
        descendant = document.page.specific
        if _audience_update(document, audience_for_page(descendant)):
            document_refresh(page=descendant, cause=PublishedVersion.Cause.DEPENDENCY)
            dependents_refresh(targets=[("page", descendant.pk)], exclude={descendant.pk})


def _audience_update(document: LiveDocument, audience: Audience) -> bool:
    """Store a document's new audience and tell the feed; return whether it changed.

    Both the old and the new audience see the entry: mirrors that lose access drop the item,
    those that gain it fetch it.
    """
    if audience == document.audience:
        return False
    before = document.audience
    document.audience = audience
    document.is_public = not audience
    document.save(update_fields=["audience", "is_public", "updated_at"])
    change_append(
        action=Change.Action.VISIBILITY_CHANGED,
        page_id=document.page_id,
        page_type=document.version.type,
        version=document.version.number,
        audiences=[before, audience],
    )
    return True


def _rerender(page: Page) -> tuple[Rendered, PublishedVersion] | None:
    """Render a live page again; return it with its current version, or None if not live."""
    document = LiveDocument.objects.filter(page_id=page.pk).select_related("version").first()
    if document is None:
        return None
    page = page.specific
    rendered = document_render(page, audience=audience_for_page(page))
    rendered.revision = page.live_revision
    return rendered, document.version


@transaction.atomic
def document_refresh(
    *, page: Page, cause: str, action: str = Change.Action.PUBLISHED
) -> PublishedVersion | None:
    """Render a live page again; store a new version only if its document changed."""
    feed_lock()
    found = _rerender(page)
    if found is None:
        return None
    rendered, current = found
    if rendered.body(current.number) == current.body:
        return None
    return _record(rendered, cause=cause, action=action)


class Rebuilt:
    """What `document_rebuild` did (or, in a dry run, would do) to a page's document."""

    CREATED = "created"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@transaction.atomic
def document_rebuild(*, page: Page, dry_run: bool = False) -> str:
    """Render a live page with the current serializers; store a version only if it changed.

    A live page without a document (content from before the pipeline) gets its first one.
    Either way the new version is caused by `rebuild` and appears in the feed as `published`.
    """
    page = page.specific
    if not dry_run:
        feed_lock()  # before rendering: what is stored is what is live when it commits
    found = _rerender(page)
    if found is None:
        if not dry_run:
            item_publish(
                page=page, revision=page.live_revision, cause=PublishedVersion.Cause.REBUILD
            )
        return Rebuilt.CREATED
    rendered, current = found
    if rendered.body(current.number) == current.body:
        return Rebuilt.UNCHANGED
    if not dry_run:
        _record(rendered, cause=PublishedVersion.Cause.REBUILD)
    return Rebuilt.CHANGED


def dependents_refresh(
    *, targets: Iterable[tuple[str, int]], exclude: set[int] | None = None
) -> list[PublishedVersion]:
    """Re-render every live document that embeds one of the targets, transitively.

    A document that changes is itself a target for the documents embedding it; one whose
    output is unchanged stops the walk there.
    """
    seen = set(exclude or ())
    queue = list(targets)
    created = []
    while queue:
        kind, target_id = queue.pop(0)
        page_ids = (
            DocumentDependency.objects.filter(kind=kind, target_id=target_id)
            .values_list("document_id", flat=True)
            .distinct()
        )
        for page in Page.objects.filter(pk__in=list(page_ids)).exclude(pk__in=seen).specific():
            seen.add(page.pk)
            version = document_refresh(page=page, cause=PublishedVersion.Cause.DEPENDENCY)
            if version is not None:
                created.append(version)
                queue.append(("page", page.pk))
    return created


def _live_documents_under(page: Page):
    return (
        LiveDocument.objects.filter(page__path__startswith=page.path, page__depth__gte=page.depth)
        .select_related("page", "version")
        .order_by("page__path")
    )


def _refresh_descendants(page: Page, *, action: str) -> None:
    for document in _live_documents_under(page):
        descendant = document.page.specific
        _audience_update(document, audience_for_page(descendant))
        version = document_refresh(
            page=descendant, cause=PublishedVersion.Cause.MOVE, action=action
        )
        if version is not None:
            dependents_refresh(targets=[("page", descendant.pk)], exclude={descendant.pk})


@transaction.atomic
def media_changed(*, kind: str, target_id: int) -> list[PublishedVersion]:
    """Re-render documents showing an image or document that was edited or deleted."""
    feed_lock()
    return dependents_refresh(targets=[(kind, target_id)])

"""Publish-time work: versions, live documents, the change log.

Plain functions that a signal receiver, a command, a view and a task can all call. Each runs in
the caller's transaction (or its own), so a failure leaves no version, no feed entry, no event.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from wagtail.models import Page

from api.rendering import RenderContext, page_type_of
from api.serializers.registry import SERIALIZERS, etag_of, render_document

from .audience import Audience, audience_for_page
from .models import Change, DocumentDependency, FeedState, LiveDocument, PublishedVersion

logger = logging.getLogger(__name__)

# Called with each new Change inside the transaction that recorded it (e.g. the webhook outbox).
change_listeners: list[Callable[[Change], None]] = []


def is_delivered(page: Page) -> bool:
    """Return whether the API delivers this page type."""
    return page.specific_class in SERIALIZERS


# Change log --------------------------------------------------------------------------------


def _feed_lock() -> FeedState:
    """Lock the feed row until the surrounding transaction ends; return it.

    Every pipeline write takes it first, before touching any document: writes then queue in
    one order, so two publishes re-rendering each other's documents wait instead of
    deadlocking, and a version number read under it stays free until commit.
    """
    state = FeedState.objects.select_for_update().filter(pk=1).first()
    if state is None:
        FeedState.objects.get_or_create(pk=1)
        state = FeedState.objects.select_for_update().get(pk=1)
    return state


def change_append(
    *,
    action: str,
    page_id: int,
    page_type: str,
    version: int | None,
    audiences: list[Audience],
) -> Change:
    """Append an entry to the change log, in commit order.

    The feed row is locked until the surrounding transaction commits, so a concurrent publish
    gets the next seq only after this one is visible: readers never see seq N+1 before N.
    """
    with transaction.atomic():
        state = _feed_lock()
        state.last_seq += 1
        state.save(update_fields=["last_seq"])
        change = Change.objects.create(
            seq=state.last_seq,
            action=action,
            page_id=page_id,
            type=page_type,
            version=version,
            at=timezone.now(),
            event_id=Change.new_event_id(),
            is_public=any(not audience for audience in audiences),
            audiences=audiences,
        )
        for listener in change_listeners:
            listener(change)
    return change


@dataclass(frozen=True)
class PruneResult:
    deleted: int
    pruned_through: int


PRUNE_BATCH = 5000


def changes_prune(*, now: datetime | None = None, dry_run: bool = False) -> PruneResult:
    """Delete change entries older than `CHANGES_RETENTION_DAYS`.

    `FeedState.pruned_through` is committed before any entry goes, so a consumer whose cursor
    falls inside the pruned range gets 410 (resync) rather than a silent gap. Deleting in
    batches outside that transaction never holds the feed row, so publishing goes on.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.CHANGES_RETENTION_DAYS)
    expired = Change.objects.filter(at__lt=cutoff).aggregate(seq=Max("seq"))["seq"] or 0
    previous = FeedState.objects.filter(pk=1).values_list("pruned_through", flat=True).first()
    # An interrupted prune may have left entries at or below the recorded mark: finish it.
    through = max(expired, previous or 0)
    doomed = Change.objects.filter(seq__lte=through)
    if dry_run or not doomed.exists():
        return PruneResult(deleted=doomed.count(), pruned_through=through)
    FeedState.objects.filter(pk=1, pruned_through__lt=through).update(pruned_through=through)
    deleted = 0
    while seqs := list(doomed.order_by("seq").values_list("seq", flat=True)[:PRUNE_BATCH]):
        Change.objects.filter(seq__in=seqs).delete()
        deleted += len(seqs)
    return PruneResult(deleted=deleted, pruned_through=through)


# Versions ----------------------------------------------------------------------------------


def _render(page: Page, *, audience: Audience, number: int) -> tuple[str, set[tuple[str, int]]]:
    context = RenderContext(audience=audience, version=number)
    return render_document(page, context), context.dependencies


def _store(
    page: Page,
    *,
    body: str,
    dependencies: set[tuple[str, int]],
    number: int,
    audience: Audience,
    cause: str,
    revision=None,
    user=None,
) -> PublishedVersion:
    now = timezone.now()
    PublishedVersion.objects.filter(page_id=page.pk, live_until__isnull=True).update(live_until=now)
    version = PublishedVersion.objects.create(
        page_id=page.pk,
        number=number,
        type=page_type_of(page),
        body=body,
        etag=etag_of(body),
        cause=cause,
        revision=revision,
        published_by=user if user is not None and user.is_authenticated else None,
        published_at=now,
        audience=audience,
    )
    document, _ = LiveDocument.objects.update_or_create(
        page_id=page.pk,
        defaults={"version": version, "is_public": not audience, "audience": audience},
    )
    document.dependencies.all().delete()
    DocumentDependency.objects.bulk_create(
        DocumentDependency(document=document, kind=kind, target_id=target_id)
        for kind, target_id in sorted(dependencies)
    )
    return version


def _next_number(page_id: int) -> int:
    current = PublishedVersion.objects.filter(page_id=page_id).aggregate(n=Max("number"))["n"]
    return (current or 0) + 1


def _url_path_of(body: str) -> str | None:
    return json.loads(body).get("url_path")


@transaction.atomic
def item_publish(
    *, page: Page, revision=None, user=None, cause: str = PublishedVersion.Cause.PUBLISH
) -> PublishedVersion | None:
    """Record a publish: a new version of the page, a feed entry, and re-rendered embedders."""
    _feed_lock()
    page = Page.objects.get(pk=page.pk).specific  # the live row, never an in-memory draft
    if not page.live or not is_delivered(page):
        return None
    previous = LiveDocument.objects.filter(page_id=page.pk).select_related("version").first()
    audience = audience_for_page(page)
    number = _next_number(page.pk)
    body, dependencies = _render(page, audience=audience, number=number)
    version = _store(
        page,
        body=body,
        dependencies=dependencies,
        number=number,
        audience=audience,
        cause=cause,
        revision=revision,
        user=user,
    )
    change_append(
        action=Change.Action.PUBLISHED,
        page_id=page.pk,
        page_type=version.type,
        version=number,
        audiences=[audience],
    )
    if previous is not None and _url_path_of(previous.version.body) != _url_path_of(body):
        _refresh_descendants(page, action=Change.Action.MOVED)
    dependents_refresh(targets=[("page", page.pk)], exclude={page.pk})
    return version


def version_publisher_set(*, page_id: int, revision_id: int, user) -> None:
    """Credit the version published from a revision to the user who published it.

    Wagtail's `page_published` signal carries the revision but not the publisher, so a version
    first records the revision's author; the publish log entry, written just after in the same
    transaction, names who really published (e.g. the reviewer approving an editor's draft).
    """
    if user is None:
        return
    version = (
        PublishedVersion.objects.filter(
            page_id=page_id, revision_id=revision_id, cause=PublishedVersion.Cause.PUBLISH
        )
        .order_by("-number")
        .first()
    )
    if version is not None and version.published_by_id != user.pk:
        version.published_by = user
        version.save(update_fields=["published_by"])


@transaction.atomic
def item_unpublish(*, page: Page) -> Change | None:
    """Record an unpublish: the live document goes away, versions stay but are not served."""
    _feed_lock()
    document = LiveDocument.objects.filter(page_id=page.pk).select_related("version").first()
    if document is None:
        return None
    version = document.version
    audience = document.audience
    document.delete()
    PublishedVersion.objects.filter(page_id=page.pk, live_until__isnull=True).update(
        live_until=timezone.now()
    )
    change = change_append(
        action=Change.Action.UNPUBLISHED,
        page_id=page.pk,
        page_type=version.type,
        version=version.number,
        audiences=[audience],
    )
    dependents_refresh(targets=[("page", page.pk)])
    return change


@transaction.atomic
def item_delete(*, page_id: int, audience: Audience | None) -> Change | None:
    """Record the deletion of a page that was ever published.

    `audience` is the one its live document had (None if it was not live): it decides who
    sees the entry.
    """
    _feed_lock()
    latest = PublishedVersion.objects.filter(page_id=page_id).order_by("-number").first()
    if latest is None:
        return None
    PublishedVersion.objects.filter(page_id=page_id, live_until__isnull=True).update(
        live_until=timezone.now()
    )
    change = change_append(
        action=Change.Action.DELETED,
        page_id=page_id,
        page_type=latest.type,
        version=latest.number,
        audiences=[audience if audience is not None else []],
    )
    dependents_refresh(targets=[("page", page_id)])
    return change


@transaction.atomic
def item_move(*, page: Page) -> None:
    """Record a move: the page and its live descendants have new paths (and maybe audiences)."""
    _feed_lock()
    _refresh_descendants(page, action=Change.Action.MOVED)


@transaction.atomic
def visibility_refresh(*, page: Page) -> None:
    """Re-evaluate who may read the page and its descendants after a view restriction changed."""
    _feed_lock()
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


@transaction.atomic
def document_refresh(
    *, page: Page, cause: str, action: str = Change.Action.PUBLISHED
) -> PublishedVersion | None:
    """Render a live page again; store a new version only if its document changed."""
    _feed_lock()
    document = LiveDocument.objects.filter(page_id=page.pk).select_related("version").first()
    if document is None:
        return None
    page = page.specific
    audience = audience_for_page(page)
    current = document.version
    body, dependencies = _render(page, audience=audience, number=current.number)
    if body == current.body:
        return None
    number = _next_number(page.pk)
    body, dependencies = _render(page, audience=audience, number=number)
    version = _store(
        page,
        body=body,
        dependencies=dependencies,
        number=number,
        audience=audience,
        cause=cause,
        revision=page.live_revision,
    )
    change_append(
        action=action,
        page_id=page.pk,
        page_type=version.type,
        version=number,
        audiences=[audience],
    )
    return version


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
    document = LiveDocument.objects.filter(page_id=page.pk).select_related("version").first()
    if document is None:
        if not dry_run:
            item_publish(
                page=page, revision=page.live_revision, cause=PublishedVersion.Cause.REBUILD
            )
        return Rebuilt.CREATED
    current = document.version
    body, _ = _render(page, audience=audience_for_page(page), number=current.number)
    if body == current.body:
        return Rebuilt.UNCHANGED
    if not dry_run:
        document_refresh(page=page, cause=PublishedVersion.Cause.REBUILD)
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


def media_changed(*, kind: str, target_id: int) -> list[PublishedVersion]:
    """Re-render documents showing an image or document that was edited or deleted."""
    with transaction.atomic():
        _feed_lock()
        return dependents_refresh(targets=[(kind, target_id)])

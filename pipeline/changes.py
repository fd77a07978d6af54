"""The change log: the one place feed entries are built, numbered and announced.

Every pipeline write takes the feed lock first (`feed_lock`) and appends its entries with
`changes_append`, whichever path it comes from (a publish, a bulk load, a release, the
benchmark). Each new entries are handed, inside the transaction that recorded them, to the
listeners below: the webhook outbox writes their deliveries there, and the frontend-cache purge
is queued for the commit.

A release publishes many pages in one transaction inside `feed_release`: every entry appended
there carries the release's id. The id travels on the locked feed row itself, not in
thread-local state: it is set and cleared inside the release's transaction, which holds the
row lock throughout, so no other transaction can append meanwhile (they wait on the lock) or
ever read it set (it is cleared before commit, or rolled back with everything else). The
entries of a release are therefore consecutive and become visible at one commit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Max
from django.utils import timezone

from documents.audience import Audience

from . import feed_watch
from .caches import purge_changes
from .feed_watch import position_of, read_position
from .models import Change, FeedState
from .webhooks.outbox import deliveries_create

# Called with the new entries, in order, inside the transaction that recorded them.
CHANGE_LISTENERS: tuple[Callable[[Sequence[Change]], object], ...] = (
    deliveries_create,  # the webhook outbox
    purge_changes,  # the frontend cache (HTTP cache, CDN), after commit
)


@dataclass(frozen=True)
class Entry:
    """What one feed entry says: an action on an item, and who may see it."""

    action: str
    page_id: int
    page_type: str
    version: int | None
    audiences: list[Audience]


def feed_lock() -> FeedState:
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


@transaction.atomic
def changes_append(*, entries: Sequence[Entry], at: datetime | None = None) -> list[Change]:
    """Append entries to the change log, in order, with consecutive seqs; announce each.

    The feed row is locked until the surrounding transaction commits, so a concurrent write
    gets the next seq only after these are visible: readers never see seq N+1 before N.
    """
    if not entries:
        return []
    state = feed_lock()
    now = at or timezone.now()
    changes = Change.objects.bulk_create(
        Change(
            seq=state.last_seq + offset,
            action=entry.action,
            page_id=entry.page_id,
            type=entry.page_type,
            version=entry.version,
            at=now,
            event_id=Change.new_event_id(),
            is_public=any(not audience for audience in entry.audiences),
            audiences=entry.audiences,
            release_id=state.release_id,
        )
        for offset, entry in enumerate(entries, start=1)
    )
    state.last_seq += len(changes)
    fields = ["last_seq"]
    if not state.documents_base:  # the first document: record the base it carries
        state.documents_base = settings.API_PUBLIC_BASE_URL.rstrip("/")
        fields.append("documents_base")
    state.save(update_fields=fields)
    last = changes[-1]
    feed_watch.announce(Change.objects.db, position_of(last.seq, last.event_id))
    for listener in CHANGE_LISTENERS:
        listener(changes)
    return changes


def change_append(**entry) -> Change:
    """Append one entry (the fields of `Entry`) to the change log; return it."""
    return changes_append(entries=[Entry(**entry)])[0]


class FeedReleaseBusy(RuntimeError):
    """A release is already being appended in this transaction."""


@contextmanager
def feed_release(*, release_id: int) -> Iterator[FeedState]:
    """Mark every entry appended inside the block as part of release `release_id`.

    Takes the feed lock (held until the surrounding transaction ends) and runs the block in a
    savepoint: if the block raises, the mark is rolled back with what it appended.
    """
    with transaction.atomic():
        state = feed_lock()
        if state.release_id is not None:
            raise FeedReleaseBusy(f"Release {state.release_id} is already being appended.")
        FeedState.objects.filter(pk=1).update(release_id=release_id)
        yield state
        FeedState.objects.filter(pk=1).update(release_id=None)


def feed_position() -> str:
    """Return a token that changes with every change-log entry, in every process.

    Every publish, unpublish, delete, move, visibility change and re-render of a delivered
    document appends an entry in the same transaction, so anything derived from the published
    documents at one position (a list response, a release preview) stays right until the next.
    The entry's random event id keeps positions unique even when a transaction that took a seq
    rolls back and the seq is taken again.

    On PostgreSQL the process keeps it in memory, current to within the notification's delivery
    (`pipeline.feed_watch`); elsewhere, or while that memory cannot be trusted, it is read from
    the database.
    """
    connection = connections[Change.objects.db]
    watch = feed_watch.process_watch(connection)
    if watch is not None and (position := watch.position()) is not None:
        return position
    with connection.cursor() as cursor:
        return read_position(cursor, vendor=connection.vendor)


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

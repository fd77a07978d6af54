"""The outbox: a change's webhook deliveries are written in the transaction that records it.

Their tasks are queued in that transaction too when the task backend is the database, and on
commit otherwise (see `delivery.delivery_enqueue`): if the publish rolls back, so do these.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from documents.moments import iso_utc
from documents.paths import RELEASES, api_path, item_path
from pipeline.models import Change

from .delivery import delivery_enqueue
from .models import RELEASE_PUBLISHED, TEST_EVENT_TYPE, WebhookDelivery, WebhookEndpoint


def _absolute(path: str) -> str:
    return settings.API_PUBLIC_BASE_URL.rstrip("/") + path


def payload_for(change: Change) -> str:
    """Return the JSON body announcing a change: its feed entry, with an absolute `api_url`."""
    at = iso_utc(change.at)
    event = {
        "type": WebhookDelivery.event_type_for(change.action),
        "timestamp": at,
        "data": {
            "seq": change.seq,
            "action": change.action,
            "type": change.type,
            "id": change.page_id,
            "version": change.version,
            "at": at,
            "release": change.release_id,
            "api_url": _absolute(api_path(change.type, change.page_id)),
        },
    }
    return json.dumps(event, separators=(",", ":"))


def deliveries_create(changes: Sequence[Change]) -> list[WebhookDelivery]:
    """Queue changes for every active endpoint that wants them, inside their transaction.

    A change listener (`pipeline.changes.CHANGE_LISTENERS`): it runs in the changes'
    transaction, so if the publish rolls back, so do these.
    """
    endpoints = list(WebhookEndpoint.objects.filter(active=True))
    if not endpoints:
        return []
    now = timezone.now()
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint=endpoint,
            change_seq=change.seq,
            event_id=change.event_id,
            event_type=WebhookDelivery.event_type_for(change.action),
            page_id=change.page_id,
            payload=payload_for(change),
            next_attempt_at=now,
            queued_for=now,
            created_at=now,
        )
        for change in changes
        for endpoint in endpoints
        if endpoint.wants(change.action)
    )
    for delivery in deliveries:
        delivery_enqueue(delivery.pk)
    return deliveries


def release_payload(
    *, release_id: int, title: str, at: datetime, changes: Sequence[Change], seqs: tuple[int, int]
) -> str:
    """Return the JSON body announcing a published release: its items and their versions."""
    event = {
        "type": WebhookDelivery.event_type_for(RELEASE_PUBLISHED),
        "timestamp": iso_utc(at),
        "data": {
            "release": release_id,
            "title": title,
            "published_at": iso_utc(at),
            "seq_from": seqs[0],
            "seq_to": seqs[1],
            "items": [
                {
                    "action": change.action,
                    "type": change.type,
                    "id": change.page_id,
                    "version": change.version,
                    "api_url": _absolute(api_path(change.type, change.page_id)),
                }
                for change in changes
            ],
            "api_url": _absolute(item_path(RELEASES, release_id)),
        },
    }
    return json.dumps(event, separators=(",", ":"))


def payload_for_test_event(*, endpoint_id: int, at: datetime) -> str:
    """Return the JSON body of a `content.test` event (sent from the admin, never queued)."""
    event = {
        "type": TEST_EVENT_TYPE,
        "timestamp": iso_utc(at),
        "data": {"test": True, "endpoint": endpoint_id, "at": iso_utc(at)},
    }
    return json.dumps(event, separators=(",", ":"))


def release_deliveries_create(
    *, release_id: int, title: str, at: datetime, changes: Sequence[Change]
) -> list[WebhookDelivery]:
    """Queue one `content.release.published` event per endpoint that wants it.

    Call inside the release's transaction, after its items' entries (`changes`, the entries of
    the release's own items) were appended: it sorts after them in each endpoint's log (its
    `change_seq` is the release's last seq) and rolls back with them. It names no item
    (`page_id` 0), so it waits for no item's earlier events, only for earlier release events.
    """
    endpoints = WebhookEndpoint.objects.filter(active=True)
    endpoints = [endpoint for endpoint in endpoints if endpoint.wants(RELEASE_PUBLISHED)]
    if not endpoints or not changes:
        return []
    seqs = (min(c.seq for c in changes), max(c.seq for c in changes))
    payload = release_payload(release_id=release_id, title=title, at=at, changes=changes, seqs=seqs)
    now = timezone.now()
    event_id = Change.new_event_id()
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint=endpoint,
            change_seq=seqs[1],
            event_id=event_id,
            event_type=WebhookDelivery.event_type_for(RELEASE_PUBLISHED),
            page_id=0,
            payload=payload,
            next_attempt_at=now,
            queued_for=now,
            created_at=now,
        )
        for endpoint in endpoints
    )
    for delivery in deliveries:
        delivery_enqueue(delivery.pk)
    return deliveries

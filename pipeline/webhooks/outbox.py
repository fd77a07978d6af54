"""The outbox: a change's webhook deliveries are written in the transaction that records it.

Their tasks are queued in that transaction too when the task backend is the database, and on
commit otherwise (see `delivery.delivery_enqueue`): if the publish rolls back, so do these.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.conf import settings
from django.utils import timezone

from documents.paths import api_path
from pipeline.models import Change

from .delivery import delivery_enqueue
from .models import WebhookDelivery, WebhookEndpoint


def payload_for(change: Change) -> str:
    """Return the JSON body announcing a change: its feed entry, with an absolute `api_url`."""
    at = change.at.isoformat().replace("+00:00", "Z")
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
            "api_url": settings.API_PUBLIC_BASE_URL.rstrip("/")
            + api_path(change.type, change.page_id),
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

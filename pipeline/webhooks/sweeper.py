"""The sweeper: queue again the deliveries that nothing would run otherwise (run periodically)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .delivery import deliveries_kick, delivery_enqueue
from .models import WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)


def deliveries_sweep(*, now: datetime | None = None, batch: int = 500) -> int:
    """Queue again the deliveries nothing will run otherwise; return how many.

    - a lease that expired: the worker was killed or crashed mid-request;
    - a due delivery whose task has not run for WEBHOOK_SWEEP_STALE_SECONDS: the task was lost
      (a broker without transactional enqueue, a crash between commit and enqueue), or the
      backend cannot defer a retry;
    - parked deliveries whose reason to wait has gone.
    Safe to run from several workers at once.
    """
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.WEBHOOK_SWEEP_STALE_SECONDS)
    stranded = (
        WebhookDelivery.objects.pending()
        .filter(parked=False, next_attempt_at__lte=now)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
        .filter(Q(queued_for__isnull=True) | Q(queued_for__lte=stale))
    )
    with transaction.atomic():
        ids = list(
            stranded.select_for_update(skip_locked=True, no_key=True)
            .order_by("change_seq")
            .values_list("pk", flat=True)[:batch]
        )
        WebhookDelivery.objects.filter(pk__in=ids).update(queued_for=now)
        for pk in ids:
            delivery_enqueue(pk)
    count = len(ids)
    endpoint_ids = set(
        WebhookDelivery.objects.pending()
        .filter(parked=True, next_attempt_at__lte=now)
        .values_list("endpoint_id", flat=True)
        .distinct()
    )
    for endpoint_id in sorted(endpoint_ids):
        with transaction.atomic():
            endpoint = (
                WebhookEndpoint.objects.select_for_update(skip_locked=True, no_key=True)
                .filter(pk=endpoint_id)
                .first()
            )
            if endpoint is not None:
                count += deliveries_kick(endpoint, now)
    if count:
        logger.info("Webhook sweeper queued %d deliveries again.", count)
    return count

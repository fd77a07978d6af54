"""One webhook delivery: queueing its task, claiming it under a lease, sending it, and the answer.

A worker claims a delivery under a lease while holding its endpoint's row lock, which keeps the
in-flight limit and per-item order safe across concurrent workers:

- a delivery waits (is parked) while an earlier event of the same item to the same endpoint is
  still pending, or while the endpoint already has `max_in_flight` requests out;
- finishing a delivery queues the parked ones that may now go (`deliveries_kick`).
"""

from __future__ import annotations

import email.utils
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django_tasks import task
from django_tasks_db import DatabaseBackend

from . import signing, transport
from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

Status = WebhookDelivery.Status


@task()
def webhook_deliver(delivery_id: int) -> str:
    """Attempt one webhook delivery in the worker; return what happened (e.g. "retrying")."""
    return delivery_run(delivery_id=delivery_id)


def delivery_enqueue(delivery_id: int, *, at: datetime | None = None) -> datetime | None:
    """Queue the delivery task (at `at`); return when it is due, or None if none was queued.

    The database backend writes the task in the current transaction, so it commits or rolls
    back with the delivery. Any other backend (Redis, a broker) is told only once the delivery
    is committed, or the worker could look for a row it cannot see yet.
    """
    deliver = webhook_deliver
    backend = deliver.get_backend()
    now = timezone.now()
    if at is not None and at > now:
        if not backend.supports_defer:
            return None  # the sweeper queues it once due
        deliver = deliver.using(run_after=at)
    if isinstance(backend, DatabaseBackend):
        deliver.enqueue(delivery_id)
    else:
        transaction.on_commit(partial(deliver.enqueue, delivery_id), robust=True)
    return at if at is not None and at > now else now


@dataclass
class _Claim:
    outcome: str
    delivery: WebhookDelivery | None = None
    endpoint: WebhookEndpoint | None = None
    token: str = ""


def delivery_run(*, delivery_id: int) -> str:
    """Attempt a delivery if it may go now; return what happened.

    "succeeded", "retrying", "failed" (gave up), "disabled" (410 or endpoint inactive),
    "waiting" (an earlier event of the item is pending), "busy" (in-flight limit),
    or "skipped" (already finished, leased elsewhere, not due, gone).
    """
    claim = _claim(delivery_id)
    if claim.outcome != "claimed":
        return claim.outcome
    delivery, endpoint = claim.delivery, claim.endpoint
    started_at = timezone.now()
    headers = signing.signature_headers(
        event_id=delivery.event_id,
        body=delivery.payload,
        secrets=endpoint.signing_secrets(started_at),
        at=started_at,
    )
    answer = transport.post(
        endpoint.url,
        body=delivery.payload.encode(),
        headers=headers,
        timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
        excerpt_bytes=settings.WEBHOOK_RESPONSE_EXCERPT_BYTES,
    )
    return _finish(delivery_id, token=claim.token, answer=answer, started_at=started_at)


@transaction.atomic
def _claim(delivery_id: int) -> _Claim:
    """Take the delivery under a lease, or say why it may not go now."""
    # The endpoint's row lock serialises claims and finishes for one endpoint: the in-flight
    # count and the "earlier event pending" check cannot race another worker.
    endpoint = _endpoint_locked(delivery_id)
    if endpoint is None:
        return _Claim("skipped")
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    now = timezone.now()
    if delivery.status != Status.PENDING or delivery.next_attempt_at > now:
        return _Claim("skipped")
    if delivery.locked_until is not None:
        if delivery.locked_until > now:
            return _Claim("skipped")
        _record_lost_attempt(delivery)
    if not endpoint.active:
        _delivery_close(delivery, status=Status.DISABLED, now=now)
        return _Claim("disabled")
    if _earlier_pending(delivery).exists():
        _park(delivery, now)
        return _Claim("waiting")
    if _in_flight(endpoint, now) >= endpoint.max_in_flight:
        _park(delivery, now)
        return _Claim("busy")
    token = secrets.token_hex(16)
    delivery.attempts += 1
    delivery.locked_until = now + timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS)
    delivery.lease_token = token
    delivery.parked = False
    delivery.queued_for = None
    delivery.save(update_fields=["attempts", "locked_until", "lease_token", "parked", "queued_for"])
    return _Claim("claimed", delivery, endpoint, token)


def _endpoint_locked(delivery_id: int) -> WebhookEndpoint | None:
    """Lock and return the delivery's endpoint.

    FOR NO KEY UPDATE: it serialises workers on the endpoint without blocking a publish that
    is inserting deliveries referencing it (those take a key-share lock).
    """
    return (
        WebhookEndpoint.objects.select_for_update(no_key=True, of=("self",))
        .filter(deliveries__pk=delivery_id)
        .first()
    )


def _record_lost_attempt(delivery: WebhookDelivery) -> None:
    """Log an attempt whose worker stopped (killed, crashed) before recording an answer."""
    WebhookAttempt.objects.create(
        delivery=delivery,
        started_at=delivery.locked_until - timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS),
        error="No answer recorded: the worker stopped during this attempt.",
    )
    delivery.locked_until = None
    delivery.lease_token = ""
    delivery.save(update_fields=["locked_until", "lease_token"])


def _earlier_pending(delivery: WebhookDelivery):
    return WebhookDelivery.objects.pending().filter(
        endpoint_id=delivery.endpoint_id,
        page_id=delivery.page_id,
        change_seq__lt=delivery.change_seq,
    )


def _in_flight(endpoint: WebhookEndpoint, now: datetime) -> int:
    return WebhookDelivery.objects.filter(endpoint=endpoint).leased(now).count()


def _park(delivery: WebhookDelivery, now: datetime) -> None:
    delivery.parked = True
    delivery.queued_for = now
    delivery.save(update_fields=["parked", "queued_for"])


@transaction.atomic
def _finish(delivery_id: int, *, token: str, answer: transport.Answer, started_at: datetime) -> str:
    """Record the answer, decide success, retry or give up, and let waiting deliveries go."""
    endpoint = _endpoint_locked(delivery_id)
    if endpoint is None:
        return "skipped"  # the endpoint was deleted meanwhile
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    WebhookAttempt.objects.create(
        delivery=delivery,
        started_at=started_at,
        duration_ms=answer.duration_ms,
        status_code=answer.status_code,
        response_excerpt=answer.excerpt,
        error=answer.error[:300],
    )
    if delivery.lease_token != token or delivery.status != Status.PENDING:
        return "skipped"  # the lease ran out and another attempt took over: only logged
    now = timezone.now()
    code = answer.status_code
    delivery.last_status_code = code
    delivery.last_error = answer.error[:300]
    delivery.locked_until = None
    delivery.lease_token = ""
    endpoint.last_attempt_at = now
    endpoint.last_status_code = code
    endpoint.last_error = answer.error[:300] or ("" if _is_success(code) else f"HTTP {code}")
    if _is_success(code):
        outcome = Status.SUCCEEDED
        delivery.status = Status.SUCCEEDED
        delivery.finished_at = now
        endpoint.last_success_at = now
        endpoint.consecutive_failures = 0
    elif code == 410:
        outcome = Status.DISABLED
        delivery.status = Status.DISABLED
        delivery.finished_at = now
        endpoint.consecutive_failures += 1
        endpoint_disable(
            endpoint,
            reason=f"The receiver answered 410 Gone on {now:%Y-%m-%d %H:%M} UTC.",
            now=now,
        )
    else:
        endpoint.consecutive_failures += 1
        wait = retry_wait(attempts=delivery.attempts, headers=answer.headers, now=now)
        if wait is None:
            outcome = Status.FAILED
            delivery.status = Status.FAILED
            delivery.finished_at = now
        else:
            outcome = "retrying"
            delivery.next_attempt_at = now + wait
            delivery.queued_for = delivery_enqueue(delivery.pk, at=delivery.next_attempt_at)
    delivery.save()
    endpoint.save()
    deliveries_kick(endpoint, now)
    return outcome


def _is_success(code: int | None) -> bool:
    return code is not None and 200 <= code < 300


def retry_wait(*, attempts: int, headers, now: datetime) -> timedelta | None:
    """Return how long to wait before the next attempt, or None to give up.

    The schedule's wait for this attempt, jittered so that a receiver coming back is not hit
    by every delivery at once; longer if the receiver's `Retry-After` asks for more (capped).
    """
    schedule = settings.WEBHOOK_RETRY_SCHEDULE
    if attempts > len(schedule):
        return None
    jitter = settings.WEBHOOK_RETRY_JITTER
    wait = schedule[attempts - 1] * random.uniform(1 - jitter, 1 + jitter)
    asked = retry_after_seconds(headers.get("retry-after"), now=now)
    if asked is not None:
        wait = max(wait, min(asked, settings.WEBHOOK_RETRY_AFTER_MAX_SECONDS))
    return timedelta(seconds=wait)


def retry_after_seconds(value: str | None, *, now: datetime) -> float | None:
    """Parse `Retry-After`: delay-seconds or an HTTP date; None when absent or malformed."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())


def _delivery_close(delivery: WebhookDelivery, *, status: str, now: datetime) -> None:
    delivery.status = status
    delivery.finished_at = now
    delivery.parked = False
    delivery.locked_until = None
    delivery.save(update_fields=["status", "finished_at", "parked", "locked_until"])


def deliveries_kick(endpoint: WebhookEndpoint, now: datetime) -> int:
    """Queue parked deliveries that may go now, up to the endpoint's free in-flight slots.

    Call with the endpoint's row locked.
    """
    if not endpoint.active:
        return 0
    earlier = WebhookDelivery.objects.pending().filter(
        endpoint_id=OuterRef("endpoint_id"),
        page_id=OuterRef("page_id"),
        change_seq__lt=OuterRef("change_seq"),
    )
    ready = list(
        WebhookDelivery.objects.pending()
        .filter(endpoint=endpoint, parked=True, next_attempt_at__lte=now)
        .exclude(Exists(earlier))
        .order_by("change_seq")
        .values_list("pk", flat=True)[: endpoint.max_in_flight]
    )
    if ready:
        ready = ready[: max(0, endpoint.max_in_flight - _in_flight(endpoint, now))]
    if ready:
        WebhookDelivery.objects.filter(pk__in=ready).update(parked=False, queued_for=now)
        for pk in ready:
            delivery_enqueue(pk)
    return len(ready)


def endpoint_disable(endpoint: WebhookEndpoint, *, reason: str, now: datetime) -> None:
    """Mark the endpoint inactive (caller saves it) and its pending deliveries not sent."""
    endpoint.active = False
    endpoint.disabled_reason = reason[:300]
    endpoint.disabled_at = now
    endpoint.deliveries.pending().filter(
        Q(locked_until__isnull=True) | Q(locked_until__lte=now)
    ).update(status=Status.DISABLED, finished_at=now, parked=False, locked_until=None)

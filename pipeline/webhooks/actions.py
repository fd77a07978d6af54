"""What an administrator does to endpoints and deliveries: redeliver, rotate, reveal the secret,
(de)activate, send a test event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from pipeline.models import Change

from . import signing, transport
from .delivery import Status, delivery_enqueue, endpoint_disable
from .models import WebhookDelivery, WebhookEndpoint, secret_generate
from .outbox import payload_for_test_event


class RedeliveryRefused(Exception):
    """A redelivery that cannot be queued; the message says why, for the admin user."""


@transaction.atomic
def delivery_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Queue a delivery again with a fresh retry schedule; its attempts log is kept."""
    endpoint = WebhookEndpoint.objects.select_for_update(no_key=True).get(pk=delivery.endpoint_id)
    if not endpoint.active:
        raise RedeliveryRefused("The endpoint is disabled: activate it first.")
    delivery = WebhookDelivery.objects.get(pk=delivery.pk)
    now = timezone.now()
    if delivery.status == Status.PENDING and delivery.locked_until and delivery.locked_until > now:
        raise RedeliveryRefused("This delivery is being attempted right now.")
    _reset(delivery, now)
    delivery.save()
    delivery_enqueue(delivery.pk)
    return delivery


@transaction.atomic
def endpoint_redeliver_failed(*, endpoint: WebhookEndpoint) -> int:
    """Queue again every delivery of the endpoint that gave up or was not sent."""
    endpoint = WebhookEndpoint.objects.select_for_update(no_key=True).get(pk=endpoint.pk)
    if not endpoint.active:
        raise RedeliveryRefused("The endpoint is disabled: activate it first.")
    now = timezone.now()
    deliveries = list(endpoint.deliveries.retryable().order_by("change_seq"))
    for delivery in deliveries:
        _reset(delivery, now)
        delivery.save()
        delivery_enqueue(delivery.pk)
    return len(deliveries)


def _reset(delivery: WebhookDelivery, now: datetime) -> None:
    delivery.status = Status.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = now
    delivery.finished_at = None
    delivery.locked_until = None
    delivery.lease_token = ""
    delivery.parked = False
    delivery.queued_for = now


# Entries of the endpoint's history when its signing secret is shown or replaced (registered
# in wagtail_hooks).
LOG_REVEALED = "webhooks.secret_revealed"
LOG_ROTATED = "webhooks.secret_rotated"
LOG_TESTED = "webhooks.test_sent"


@transaction.atomic
def endpoint_secret_rotate(
    *, endpoint: WebhookEndpoint, overlap_seconds: int | None = None, user=None
) -> WebhookEndpoint:
    """Give the endpoint a new secret; the current one keeps signing too for the overlap."""
    endpoint = WebhookEndpoint.objects.select_for_update(no_key=True).get(pk=endpoint.pk)
    if overlap_seconds is None:
        overlap_seconds = settings.WEBHOOK_SECRET_OVERLAP_SECONDS
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = timezone.now() + timedelta(seconds=overlap_seconds)
    endpoint.secret = secret_generate()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    log(instance=endpoint, action=LOG_ROTATED, user=user)
    return endpoint


@transaction.atomic
def endpoint_secret_reveal(*, endpoint: WebhookEndpoint, user) -> WebhookEndpoint:
    """Record in the endpoint's history that the user is shown its signing secrets."""
    log(instance=endpoint, action=LOG_REVEALED, user=user)
    return endpoint


@transaction.atomic
def endpoint_deactivate(*, endpoint: WebhookEndpoint, reason: str) -> WebhookEndpoint:
    """Stop delivering to an endpoint; what is pending for it is marked not sent."""
    endpoint = WebhookEndpoint.objects.select_for_update(no_key=True).get(pk=endpoint.pk)
    endpoint_disable(endpoint, reason=reason, now=timezone.now())
    endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_activate(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Deliver to the endpoint again (new changes; "redeliver failed" sends the missed ones)."""
    endpoint = WebhookEndpoint.objects.select_for_update(no_key=True).get(pk=endpoint.pk)
    endpoint.active = True
    endpoint.disabled_reason = ""
    endpoint.disabled_at = None
    endpoint.consecutive_failures = 0
    endpoint.save(
        update_fields=["active", "disabled_reason", "disabled_at", "consecutive_failures"]
    )
    return endpoint


TEST_TIMEOUT_SECONDS = 5


@dataclass(frozen=True)
class TestEvent:
    """A test event as sent, and the receiver's answer (or why there was none)."""

    event_id: str
    sent_at: datetime
    answer: transport.Answer


def endpoint_test_send(*, endpoint: WebhookEndpoint, user=None) -> TestEvent:
    """POST a signed `content.test` event to the endpoint now and return the answer.

    Signed and sent like every delivery (`signing`, `transport`: the SSRF rule on the address
    really connected to, no redirects), but in the caller's request with a short timeout, so the
    administrator sees what the receiver says. It changes nothing: no delivery row, no health.
    """
    sent_at = timezone.now()
    event_id = Change.new_event_id()
    body = payload_for_test_event(endpoint_id=endpoint.pk, at=sent_at)
    headers = signing.signature_headers(
        event_id=event_id, body=body, secrets=endpoint.signing_secrets(sent_at), at=sent_at
    )
    answer = transport.post(
        endpoint.url,
        body=body.encode(),
        headers=headers,
        timeout=min(TEST_TIMEOUT_SECONDS, settings.WEBHOOK_TIMEOUT_SECONDS),
        excerpt_bytes=settings.WEBHOOK_RESPONSE_EXCERPT_BYTES,
    )
    log(
        instance=endpoint,
        action=LOG_TESTED,
        user=user,
        data={"event_id": event_id, "status_code": answer.status_code, "error": answer.error},
    )
    return TestEvent(event_id=event_id, sent_at=sent_at, answer=answer)

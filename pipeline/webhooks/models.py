"""Webhook endpoints, their deliveries (the outbox) and the log of each attempt."""

import base64
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from pipeline.models import Change

SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)
EVENT_TYPE_PREFIX = "content."
# The one event that is not a feed entry: a release went live (after its items' own events).
RELEASE_PUBLISHED = "release.published"
TEST_EVENT_TYPE = "content.test"  # sent by the admin's "Send test event", never queued


def secret_generate() -> str:
    """Return a new Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def default_max_in_flight() -> int:
    return settings.WEBHOOK_MAX_IN_FLIGHT


class WebhookEndpoint(models.Model):
    """A subscriber: where changes are pushed, which ones, and how that has been going."""

    class Health(models.TextChoices):
        NEW = "new", "No deliveries yet"
        HEALTHY = "healthy", "Healthy"
        FAILING = "failing", "Failing"
        DISABLED = "disabled", "Disabled"

    url = models.URLField(
        "URL", max_length=500, help_text="Where events are POSTed (http or https)."
    )
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(
        default=list,
        blank=True,
        help_text="The change actions delivered; empty means all of them.",
    )
    active = models.BooleanField(
        default=True, help_text="Inactive endpoints receive nothing, and queue nothing."
    )
    secret = models.CharField(max_length=100, default=secret_generate, editable=False)
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    max_in_flight = models.PositiveSmallIntegerField(
        default=default_max_in_flight,
        help_text="At most this many requests to this endpoint at once.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    # Health, updated after each attempt.
    last_attempt_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    last_error = models.CharField(max_length=300, blank=True, editable=False)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    disabled_reason = models.CharField(max_length=300, blank=True, editable=False)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["url", "pk"]
        verbose_name = "webhook endpoint"

    def __str__(self) -> str:
        return self.url

    @property
    def health(self) -> str:
        if not self.active:
            return self.Health.DISABLED
        if self.consecutive_failures:
            return self.Health.FAILING
        if self.last_success_at:
            return self.Health.HEALTHY
        return self.Health.NEW

    def get_health_display(self) -> str:
        return self.Health(self.health).label

    def events_display(self) -> str:
        labels = dict(EVENT_CHOICES)
        return ", ".join(labels.get(e, e) for e in self.events) if self.events else "All"

    def wants(self, action: str) -> bool:
        """Return whether this endpoint subscribes to a change action (or `release.published`)."""
        return not self.events or action in self.events

    def signing_secrets(self, now=None) -> list[str]:
        """Return the secrets to sign with: the current one, and the previous one in its overlap."""
        now = now or timezone.now()
        current = [self.secret]
        if (
            self.previous_secret
            and self.previous_secret_expires_at
            and (self.previous_secret_expires_at > now)
        ):
            current.append(self.previous_secret)
        return current


class WebhookDeliveryQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=WebhookDelivery.Status.PENDING)

    def leased(self, now):
        return self.pending().filter(locked_until__gt=now)

    def retryable(self):
        """Deliveries that gave up or were stopped: what "redeliver all failed" re-queues."""
        return self.filter(
            status__in=[WebhookDelivery.Status.FAILED, WebhookDelivery.Status.DISABLED]
        )


class WebhookDelivery(models.Model):
    """One change to one endpoint: the outbox row, written with the change, until delivered.

    A worker takes it under a lease (`locked_until`), so a worker that dies mid-request frees it
    for another. `parked` deliveries wait for an earlier event of the same item, or a free
    in-flight slot, and are queued again when that frees up.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed (gave up)"
        DISABLED = "disabled", "Not sent (endpoint disabled)"

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    change_seq = models.BigIntegerField(help_text="The change's position in the feed.")
    event_id = models.CharField(max_length=40, help_text="Sent as `webhook-id`.")
    event_type = models.CharField(max_length=40)
    page_id = models.BigIntegerField()
    payload = models.TextField(help_text="The JSON body, the same bytes on every attempt.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=32, blank=True)
    parked = models.BooleanField(default=False)
    queued_for = models.DateTimeField(
        null=True, blank=True, help_text="When the task queued for it is due (None: no task)."
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    objects = WebhookDeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-change_seq", "pk"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_id"], name="unique_delivery_per_endpoint"
            )
        ]
        indexes = [
            models.Index(fields=["endpoint", "status", "page_id", "change_seq"]),
            models.Index(fields=["status", "next_attempt_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} #{self.change_seq} to {self.endpoint_id}"

    @staticmethod
    def event_type_for(action: str) -> str:
        return EVENT_TYPE_PREFIX + action


class WebhookAttempt(models.Model):
    """One HTTP request of a delivery, as the receiver answered it (or why it could not)."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    started_at = models.DateTimeField(default=timezone.now)
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.delivery} at {self.started_at:%Y-%m-%d %H:%M:%S}: {self.outcome}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def outcome(self) -> str:
        return str(self.status_code) if self.status_code is not None else self.error


# The actions an endpoint may subscribe to, as the admin offers them.
EVENT_CHOICES = [*Change.Action.choices, (RELEASE_PUBLISHED, "Release published")]

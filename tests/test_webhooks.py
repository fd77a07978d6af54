"""Webhooks: the outbox, Standard Webhooks signatures, retries, ordering, limits and SSRF.

Deliveries go to a real HTTP receiver on loopback; the queue is drained by django-tasks-db's
own claim and run (tests/task_queue.py). The workers as separate processes (database and RQ),
killed mid-delivery and through a long outage, are in test_worker.py.
"""

import json
from datetime import timedelta
from email.utils import format_datetime

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from pipeline.models import Change, PublishedVersion
from pipeline.webhooks import actions, sweeper
from pipeline.webhooks.delivery import delivery_run
from pipeline.webhooks.models import WebhookDelivery, WebhookEndpoint
from pipeline.webhooks.targets import TargetRefused, url_check

from .factories import StandardPageFactory
from .helpers import edit, publish
from .task_queue import drain

DELIVER_TASK = "pipeline.webhooks.delivery.webhook_deliver"


def deliver_tasks():
    return DBTaskResult.objects.filter(task_path=DELIVER_TASK)


@pytest.fixture
def endpoint(receiver, db):
    return WebhookEndpoint.objects.create(url=receiver.url)


@pytest.fixture
def fast_retries(settings):
    settings.WEBHOOK_RETRY_SCHEDULE = [0, 0, 0]
    settings.WEBHOOK_RETRY_JITTER = 0
    return settings


# The outbox --------------------------------------------------------------------------------


def test_publish_writes_one_delivery_per_matching_active_endpoint_and_sends_nothing_yet(
    home, receiver
):
    everything = WebhookEndpoint.objects.create(url=receiver.url)
    WebhookEndpoint.objects.create(url=receiver.url, events=["unpublished"])
    WebhookEndpoint.objects.create(url=receiver.url, active=False)

    page = publish(StandardPageFactory(parent=home))

    change = Change.objects.get(page_id=page.pk, action="published")
    delivery = WebhookDelivery.objects.get()
    assert delivery.endpoint == everything
    assert (delivery.event_id, delivery.change_seq) == (change.event_id, change.seq)
    assert delivery.status == "pending"
    task = deliver_tasks().get()
    assert task.args_kwargs == {"args": [delivery.pk], "kwargs": {}}
    assert receiver.received == []  # never inside the publishing request


def test_delivery_is_signed_per_standard_webhooks_and_carries_the_feed_entry(
    home, endpoint, receiver, settings
):
    page = publish(StandardPageFactory(parent=home))
    drain()

    [request] = receiver.received
    change = Change.objects.get(page_id=page.pk)
    assert request.webhook_id == change.event_id
    event = Webhook(endpoint.secret).verify(request.body, request.headers)
    assert event == {
        "type": "content.published",
        "timestamp": change.at.isoformat().replace("+00:00", "Z"),
        "data": {
            "seq": change.seq,
            "action": "published",
            "type": "page",
            "id": page.pk,
            "version": 1,
            "at": change.at.isoformat().replace("+00:00", "Z"),
            "release": None,
            "api_url": f"{settings.API_PUBLIC_BASE_URL}/api/v1/pages/{page.pk}/",
        },
    }
    assert request.headers["content-type"] == "application/json"
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "succeeded"
    [attempt] = delivery.attempt_log.all()
    assert (attempt.status_code, attempt.response_excerpt, attempt.error) == (200, "ok", "")
    endpoint.refresh_from_db()
    assert endpoint.health == "healthy"


def test_a_wrong_secret_does_not_verify(home, endpoint, receiver):
    publish(StandardPageFactory(parent=home))
    drain()

    [request] = receiver.received
    with pytest.raises(WebhookVerificationError):
        Webhook(WebhookEndpoint().secret).verify(request.body, request.headers)


def test_an_exception_inside_the_publish_transaction_leaves_no_version_entry_or_delivery(
    home, endpoint
):
    page = StandardPageFactory(parent=home)

    with pytest.raises(RuntimeError), transaction.atomic():
        publish(page)
        assert WebhookDelivery.objects.count() == 1
        raise RuntimeError("the request failed after publishing")

    assert not PublishedVersion.objects.filter(page_id=page.pk).exists()
    assert not Change.objects.filter(page_id=page.pk).exists()
    assert not WebhookDelivery.objects.exists()
    assert not deliver_tasks().exists()


def test_a_failing_change_listener_rolls_back_the_publish_and_its_deliveries(
    home, endpoint, add_change_listener
):
    page = StandardPageFactory(parent=home)

    def broken_listener(changes):
        raise RuntimeError("listener failed")

    add_change_listener(broken_listener)
    with pytest.raises(RuntimeError, match="listener failed"), transaction.atomic():
        publish(page)

    page.refresh_from_db()
    assert page.live_revision_id is None
    assert not page.revisions.exists()
    assert not PublishedVersion.objects.filter(page_id=page.pk).exists()
    assert not Change.objects.filter(page_id=page.pk).exists()
    assert not WebhookDelivery.objects.exists()
    assert not deliver_tasks().exists()


def test_a_non_database_task_backend_is_told_only_after_commit(
    home, endpoint, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import task_backends

    backend = task_backends["default"]

    def queued():
        return [r for r in backend.results if r.task.module_path == DELIVER_TASK]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        publish(StandardPageFactory(parent=home))
        assert queued() == []

    for callback in callbacks:
        callback()
    assert [r.args for r in queued()] == [[WebhookDelivery.objects.get().pk]]


# Answers, retries, 410, Retry-After ------------------------------------------------------


@pytest.mark.parametrize("status", [301, 400, 404, 429, 500, 503])
def test_non_2xx_answers_other_than_410_are_retried_with_backoff(
    home, endpoint, receiver, settings, status
):
    settings.WEBHOOK_RETRY_SCHEDULE = [60, 600]
    settings.WEBHOOK_RETRY_JITTER = 0.2
    receiver.answers((status, {"location": "http://127.0.0.1:9/"}, b"nope"))
    publish(StandardPageFactory(parent=home))
    delivery = WebhookDelivery.objects.get()

    assert delivery_run(delivery_id=delivery.pk) == "retrying"

    delivery.refresh_from_db()
    attempt = delivery.attempt_log.get()
    wait = (delivery.next_attempt_at - attempt.started_at).total_seconds()
    assert 60 * 0.8 - 1 <= wait <= 60 * 1.2 + 1
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        "pending",
        1,
        status,
    )
    assert attempt.response_excerpt == "nope"
    assert len(receiver.received) == 1  # the redirect was not followed
    # The retry is queued for when it is due.
    assert deliver_tasks().filter(run_after__gte=delivery.next_attempt_at).exists()


def test_retries_until_success(home, endpoint, receiver, fast_retries):
    receiver.answers((500, {}, b"down"), (502, {}, b"down"))
    publish(StandardPageFactory(parent=home))

    drain()

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "succeeded"
    assert [a.status_code for a in delivery.attempt_log.order_by("started_at", "pk")] == [
        500,
        502,
        200,
    ]
    assert len(set(receiver.ids())) == 1  # the same webhook-id every time


def test_gives_up_after_the_last_scheduled_retry(home, endpoint, receiver, fast_retries):
    receiver.answers(then=(500, {}, b"down"))
    publish(StandardPageFactory(parent=home))

    drain()

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 4)
    endpoint.refresh_from_db()
    assert (endpoint.health, endpoint.consecutive_failures) == ("failing", 4)


def test_410_gone_disables_the_endpoint_and_what_is_pending_for_it(home, endpoint, receiver):
    receiver.answers((410, {}, b"gone"))
    first, second = StandardPageFactory(parent=home), StandardPageFactory(parent=home)
    publish(first)
    publish(second)
    deliveries = list(WebhookDelivery.objects.order_by("change_seq"))

    assert delivery_run(delivery_id=deliveries[0].pk) == "disabled"

    endpoint.refresh_from_db()
    assert not endpoint.active
    assert endpoint.health == "disabled"
    assert "410" in endpoint.disabled_reason
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"disabled"}
    drain()
    edit(first, title="After the 410")
    assert len(receiver.received) == 1
    assert WebhookDelivery.objects.count() == 2


@pytest.mark.parametrize("form", ["seconds", "http-date"])
def test_retry_after_is_honoured(home, endpoint, receiver, settings, form):
    settings.WEBHOOK_RETRY_SCHEDULE = [1]
    publish(StandardPageFactory(parent=home))
    delivery = WebhookDelivery.objects.get()
    # The date is taken after the publish, whose time on a loaded machine is not the point.
    value = (
        "120"
        if form == "seconds"
        else format_datetime(timezone.now() + timedelta(seconds=120), usegmt=True)
    )
    receiver.answers((429 if form == "seconds" else 503, {"retry-after": value}, b"slow down"))

    delivery_run(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    wait = (delivery.next_attempt_at - delivery.attempt_log.get().started_at).total_seconds()
    assert 118 <= wait <= 125
    drain()  # not due yet: nothing is sent before the receiver asked
    assert len(receiver.received) == 1


# Ordering and the in-flight limit --------------------------------------------------------


def test_a_later_event_of_an_item_waits_for_the_earlier_one(home, endpoint, receiver):
    page = publish(StandardPageFactory(parent=home))
    edit(page, title="Second version")
    first, second = WebhookDelivery.objects.order_by("change_seq")

    assert delivery_run(delivery_id=second.pk) == "waiting"
    assert receiver.received == []
    assert delivery_run(delivery_id=first.pk) == "succeeded"
    drain()  # finishing the first queued the second again

    assert [r.event["data"]["version"] for r in receiver.received] == [1, 2]
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"succeeded"}


def test_events_of_other_items_do_not_wait(home, endpoint, receiver, settings):
    settings.WEBHOOK_RETRY_SCHEDULE = [3600]
    receiver.answers((500, {}, b"down"))
    failing, other = StandardPageFactory(parent=home), StandardPageFactory(parent=home)
    publish(failing)
    publish(other)

    drain()

    assert WebhookDelivery.objects.get(page_id=failing.pk).status == "pending"
    assert WebhookDelivery.objects.get(page_id=other.pk).status == "succeeded"


def test_no_more_than_max_in_flight_requests_per_endpoint(home, endpoint, receiver):
    endpoint.max_in_flight = 2
    endpoint.save()
    pages = [publish(StandardPageFactory(parent=home)) for _ in range(3)]
    held = WebhookDelivery.objects.filter(page_id__in=[p.pk for p in pages[:2]])
    # Two requests are out (held by other workers, as far as this one can tell).
    held.update(locked_until=timezone.now() + timedelta(seconds=60), attempts=1)
    third = WebhookDelivery.objects.get(page_id=pages[2].pk)

    assert delivery_run(delivery_id=third.pk) == "busy"
    assert receiver.received == []

    held.update(locked_until=None, status="succeeded")
    assert sweeper.deliveries_sweep() == 1  # a slot freed up: the parked one goes
    drain()
    assert [r.event["data"]["id"] for r in receiver.received] == [pages[2].pk]


def test_a_delivery_whose_worker_died_is_retried_after_its_lease(home, endpoint, receiver):
    publish(StandardPageFactory(parent=home))
    delivery = WebhookDelivery.objects.get()
    drain_tasks = deliver_tasks()
    drain_tasks.update(status="RUNNING")  # the worker that took the task was killed
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        locked_until=timezone.now() - timedelta(seconds=1), attempts=1, queued_for=None
    )

    assert sweeper.deliveries_sweep() == 1
    drain()

    delivery.refresh_from_db()
    assert delivery.status == "succeeded"
    lost, sent = delivery.attempt_log.order_by("started_at", "pk")
    assert "worker stopped" in lost.error
    assert sent.status_code == 200


def test_the_sweeper_requeues_a_lost_task_only_once_it_is_stale(home, endpoint, settings):
    publish(StandardPageFactory(parent=home))
    deliver_tasks().delete()  # e.g. a broker that lost the message

    assert sweeper.deliveries_sweep() == 0  # it may still be on its way
    later = timezone.now() + timedelta(seconds=settings.WEBHOOK_SWEEP_STALE_SECONDS + 1)
    assert sweeper.deliveries_sweep(now=later) == 1
    assert deliver_tasks().count() == 1


# Secret rotation -----------------------------------------------------------------------------


def test_after_rotation_both_secrets_verify_until_the_overlap_ends(home, endpoint, receiver):
    old_secret = endpoint.secret
    endpoint = actions.endpoint_secret_rotate(endpoint=endpoint)
    assert endpoint.secret != old_secret and endpoint.secret.startswith("whsec_")
    page = publish(StandardPageFactory(parent=home))
    drain()

    request = receiver.received[-1]
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    Webhook(old_secret).verify(request.body, request.headers)
    Webhook(endpoint.secret).verify(request.body, request.headers)

    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        previous_secret_expires_at=timezone.now() - timedelta(seconds=1)
    )
    edit(page, title="After the overlap")
    drain()
    request = receiver.received[-1]
    Webhook(endpoint.secret).verify(request.body, request.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(old_secret).verify(request.body, request.headers)


# Redelivery ------------------------------------------------------------------------------


def test_redelivery_sends_a_failed_event_again_with_the_same_id(home, endpoint, receiver, settings):
    settings.WEBHOOK_RETRY_SCHEDULE = []
    receiver.answers((500, {}, b"down"))
    publish(StandardPageFactory(parent=home))
    drain()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed"

    actions.delivery_redeliver(delivery=delivery)
    drain()

    delivery.refresh_from_db()
    assert delivery.status == "succeeded"
    assert receiver.ids() == [delivery.event_id] * 2


# SSRF --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/hook",
        "file:///etc/passwd",
        "http://10.0.0.8/hook",
        "http://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/",
        "http://[fe80::1]/hook",
        "http://224.0.0.1/hook",
        "http://0.0.0.0:8000/hook",
        "http://localhost:8000/hook",
        "http://[::ffff:127.0.0.1]:8000/hook",
        "http://does-not-exist.invalid/hook",
    ],
)
def test_targets_that_are_not_public_http_are_refused(settings, url):
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = []
    with pytest.raises(TargetRefused):
        url_check(url)


def test_allowed_networks_let_loopback_through_but_never_metadata(settings):
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = ["127.0.0.0/8", "169.254.0.0/16"]
    assert [str(a) for a in url_check("http://127.0.0.1:8000/hook")] == ["127.0.0.1"]
    with pytest.raises(TargetRefused, match="metadata"):
        url_check("http://169.254.169.254/")


def test_public_addresses_are_allowed(settings):
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = []
    assert [str(a) for a in url_check("https://93.184.215.14/hook")] == ["93.184.215.14"]


def test_delivery_checks_the_address_again_and_sends_nothing_to_a_refused_one(
    home, endpoint, receiver, settings
):
    publish(StandardPageFactory(parent=home))
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = []  # e.g. DNS now points inside the network
    delivery = WebhookDelivery.objects.get()

    assert delivery_run(delivery_id=delivery.pk) == "retrying"

    assert receiver.received == []
    attempt = delivery.attempt_log.get()
    assert attempt.status_code is None
    assert "Refused" in attempt.error and "loopback" in attempt.error


def test_payload_bytes_are_the_same_on_every_attempt(home, endpoint, receiver, fast_retries):
    receiver.answers((500, {}, b"down"))
    publish(StandardPageFactory(parent=home))
    drain()

    first, second = receiver.received
    assert first.body == second.body
    assert json.loads(first.body)["type"] == "content.published"

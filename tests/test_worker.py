"""The real worker processes: killed mid-delivery, through a receiver outage, several at once.

Each test runs on both task backends (`db_worker`, and `rqworker` on Redis), commits for real
(the workers are other processes) with a `beat` process next to them, a real receiver on
loopback, and verifies every request with the official `standardwebhooks` package.
"""

import itertools
import threading
import time
from collections import defaultdict
from contextlib import ExitStack
from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone
from standardwebhooks import Webhook

from pipeline.models import Change, PublishedVersion
from pipeline.webhooks.models import WebhookDelivery, WebhookEndpoint

from .factories import StandardPageFactory
from .helpers import edit, publish
from .worker_process import (
    BACKENDS,
    backend_env,
    backend_settings,
    beat_process,
    rq_queue,
    shared_database,
    worker_process,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(params=BACKENDS)
def task_backend(request):
    """Each test runs on both task backends: django-tasks-db and RQ on Redis."""
    return request.param


@pytest.fixture
def start_worker(tmp_path, task_backend, settings):
    """Start worker processes of the backend on the shared test database, with one beat next
    to them (started with the first worker); all are stopped afterwards."""
    processes = []
    with ExitStack() as stack:
        database_url = stack.enter_context(shared_database(tmp_path))
        redis_url = stack.enter_context(rq_queue()) if task_backend == "rq" else None
        for name, value in backend_settings(task_backend, redis_url).items():
            setattr(settings, name, value)
        env = backend_env(task_backend, redis_url)

        def start(**extra):
            options = {"database_url": database_url, "env": {**env, **extra}}
            if not processes:
                processes.append(beat_process(log=tmp_path / "beat.log", **options).start())
            log = tmp_path / f"worker-{len(processes)}.log"
            worker = worker_process(task_backend, log=log, **options).start()
            processes.append(worker)
            return worker

        try:
            yield start
        finally:
            for process in processes:
                if process.running:
                    process.kill()


def wait_until(condition, *, timeout: float = 60, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; deliveries: {_states()}")
        time.sleep(0.1)


def _states() -> list:
    return list(
        WebhookDelivery.objects.values("status", "parked", "attempts")
        .annotate(n=Count("pk"))
        .order_by("status", "parked", "attempts")
    )


def test_a_worker_killed_mid_delivery_delivers_the_event_after_restart(
    start_worker, home, receiver
):
    endpoint = WebhookEndpoint.objects.create(url=receiver.url)
    arrived, release = threading.Event(), threading.Event()

    def block_the_first_request(request):
        if not arrived.is_set():
            arrived.set()
            release.wait(30)
        return 200, {}, b"ok"

    receiver.respond = block_the_first_request
    page = publish(StandardPageFactory(parent=home))
    worker = start_worker()

    assert arrived.wait(60), worker.output()
    assert worker.kill() == -9
    release.set()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.locked_until is not None  # still leased by the dead worker

    restarted = start_worker()
    wait_until(
        lambda: WebhookDelivery.objects.get().status == "succeeded",
        what="the redelivery after the restart",
    )

    change = Change.objects.get(page_id=page.pk)
    assert receiver.ids() == [change.event_id, change.event_id]
    for request in receiver.received:
        assert Webhook(endpoint.secret).verify(request.body, request.headers)["data"]["seq"] == (
            change.seq
        )
    lost, delivered = WebhookDelivery.objects.get().attempt_log.order_by("started_at", "pk")
    assert "worker stopped" in lost.error
    assert delivered.status_code == 200
    assert restarted.terminate() == 0  # SIGTERM: a clean stop


@pytest.mark.slow
def test_receiver_down_during_200_publishes_gets_every_event_in_order_after_it_returns(
    start_worker, home, receiver
):
    endpoint = WebhookEndpoint.objects.create(url=receiver.url)
    receiver.stop()  # down: connections are refused
    started = time.monotonic()
    workers = [start_worker(), start_worker()]
    pages = [StandardPageFactory(parent=home) for _ in range(20)]

    for round_number, page in itertools.product(range(10), pages):
        edit(page, title=f"{page.pk} round {round_number}")
    assert Change.objects.filter(action="published").count() == 200
    published = time.monotonic()
    first_seqs = [
        Change.objects.filter(page_id=p.pk).order_by("seq").values_list("seq", flat=True).first()
        for p in pages
    ]
    first_per_item = WebhookDelivery.objects.filter(change_seq__in=first_seqs)
    wait_until(
        lambda: not first_per_item.filter(attempts__lt=2).exists(),
        what="every item's first event to fail twice while the receiver is down",
    )
    assert receiver.received == []

    receiver.start()  # back, on the same port
    back = time.monotonic()
    wait_until(
        lambda: len(set(receiver.ids())) >= 200,
        timeout=600,
        what="all 200 events after the receiver came back",
    )
    done = time.monotonic()
    for worker in workers:
        assert worker.terminate() == 0

    effects, versions_seen = {}, defaultdict(list)
    for request in receiver.received:
        event = Webhook(endpoint.secret).verify(request.body, request.headers)
        if request.webhook_id in effects:
            continue  # a duplicate delivery: the receiver deduplicates on webhook-id
        effects[request.webhook_id] = event
        versions_seen[event["data"]["id"]].append(event["data"]["version"])
    assert len(effects) == 200
    assert set(effects) == set(
        Change.objects.filter(action="published").values_list("event_id", flat=True)
    )
    for page in pages:
        assert versions_seen[page.pk] == list(range(1, 11)), page.pk
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"succeeded"}
    print(
        f"\n200 publishes in {published - started:.1f} s; receiver down for "
        f"{back - started:.1f} s; all 200 events delivered {done - back:.1f} s after it came "
        f"back ({len(receiver.received)} requests)"
    )


@pytest.mark.slow
def test_the_in_flight_limit_holds_across_worker_processes(start_worker, home, receiver):
    WebhookEndpoint.objects.create(url=receiver.url, max_in_flight=2)

    def slow(request):
        # Hold each request until another one is in flight too (or 3 s pass): the limit is
        # then reached whatever else the workers are busy with, and any excess would show.
        deadline = time.monotonic() + 3
        while receiver.in_flight < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)
        return 200, {}, b"ok"

    receiver.respond = slow
    # All queued before the workers start, so they compete for the endpoint from the first
    # request on (published one by one, deliveries could finish before the next is queued).
    pages = [publish(StandardPageFactory(parent=home)) for _ in range(10)]
    for _ in range(4):
        start_worker()

    wait_until(
        lambda: WebhookDelivery.objects.filter(status="succeeded").count() == len(pages),
        what="all deliveries",
    )

    assert receiver.max_in_flight == 2  # reached, never exceeded
    assert len(set(receiver.ids())) == len(pages)


def test_the_running_worker_publishes_scheduled_pages_and_delivers_their_webhooks(
    start_worker, home, receiver
):
    endpoint = WebhookEndpoint.objects.create(url=receiver.url)
    page = StandardPageFactory(parent=home, live=False)
    page.go_live_at = timezone.now() + timedelta(seconds=2)
    page.save_revision().publish()  # scheduled: Wagtail approves it for go_live_at
    page.refresh_from_db()
    assert not page.live

    worker = start_worker()
    wait_until(lambda: len(receiver.received) == 1, what="the scheduled publish's webhook")

    page.refresh_from_db()
    assert page.live
    assert PublishedVersion.objects.filter(page_id=page.pk, number=1).exists()
    event = Webhook(endpoint.secret).verify(receiver.received[0].body, receiver.received[0].headers)
    assert (event["type"], event["data"]["id"]) == ("content.published", page.pk)
    assert worker.terminate() == 0

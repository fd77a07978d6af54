"""Scheduled publishing: the worker's beat makes `go_live_at` / `expire_at` happen, and each
scheduled publish or expiry gets its version, feed entry and webhook like a manual one."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from wagtail.models import PageLogEntry, Revision

from pipeline.models import Change, LiveDocument, PublishedVersion
from pipeline.scheduling import scheduled_publishing_run
from pipeline.webhooks.models import WebhookDelivery, WebhookEndpoint

from .factories import StandardPageFactory
from .task_queue import beat


def schedule(page, *, go_live_in: timedelta) -> Revision:
    """Publish with a go-live time in the future, as an editor does: Wagtail approves the
    revision for that time and leaves the page as it is."""
    page.go_live_at = timezone.now() + go_live_in
    revision = page.save_revision()
    revision.publish()
    return revision


def time_passes(revision: Revision, *, by: timedelta) -> None:
    """Move the scheduled go-live time into the past, as if `by` had gone by."""
    revision.refresh_from_db()
    go_live_at = revision.approved_go_live_at - by
    revision.content["go_live_at"] = go_live_at.isoformat()
    revision.approved_go_live_at = go_live_at
    revision.save(update_fields=["content", "approved_go_live_at"])


@pytest.fixture
def endpoint(receiver, db):
    return WebhookEndpoint.objects.create(url=receiver.url)


def test_a_scheduled_publish_waits_for_its_time(home, endpoint, receiver):
    page = StandardPageFactory(parent=home, live=False)
    schedule(page, go_live_in=timedelta(hours=1))

    beat()

    page.refresh_from_db()
    assert not page.live
    assert not PublishedVersion.objects.filter(page_id=page.pk).exists()
    assert not WebhookDelivery.objects.exists()
    assert receiver.received == []


def test_the_beat_publishes_what_is_due_with_a_version_feed_entry_and_webhook(
    home, endpoint, receiver
):
    page = StandardPageFactory(parent=home, live=False)
    revision = schedule(page, go_live_in=timedelta(hours=1))
    time_passes(revision, by=timedelta(hours=1, minutes=1))

    beat()

    page.refresh_from_db()
    assert page.live and page.live_revision_id == revision.pk
    version = PublishedVersion.objects.get(page_id=page.pk)
    assert (version.number, version.revision_id) == (1, revision.pk)
    assert LiveDocument.objects.filter(page_id=page.pk, version=version).exists()
    change = Change.objects.get(page_id=page.pk)
    assert (change.action, change.version) == ("published", 1)
    [request] = receiver.received
    assert request.webhook_id == change.event_id
    assert request.event["data"]["action"] == "published"
    assert PageLogEntry.objects.filter(page=page, action="wagtail.publish.scheduled").exists()


def test_a_scheduled_new_revision_of_a_live_page_becomes_its_next_version(home, endpoint, receiver):
    page = StandardPageFactory(parent=home)
    page.save_revision().publish()
    page.title = "Scheduled title"
    revision = schedule(page, go_live_in=timedelta(days=1))
    assert PublishedVersion.objects.filter(page_id=page.pk).count() == 1
    time_passes(revision, by=timedelta(days=1, seconds=1))

    beat()

    latest = PublishedVersion.objects.filter(page_id=page.pk).order_by("-number").first()
    assert latest.number == 2 and '"Scheduled title"' in latest.body
    assert [r.event["data"]["version"] for r in receiver.received] == [1, 2]


def test_expiry_unpublishes_with_an_unpublished_entry_and_webhook(home, endpoint, receiver):
    page = StandardPageFactory(parent=home)
    page.save_revision().publish()
    type(page).objects.filter(pk=page.pk).update(expire_at=timezone.now() - timedelta(minutes=1))

    beat()

    page.refresh_from_db()
    assert not page.live and page.expired
    assert not LiveDocument.objects.filter(page_id=page.pk).exists()
    assert list(
        Change.objects.filter(page_id=page.pk).order_by("seq").values_list("action", flat=True)
    ) == ["published", "unpublished"]
    assert [r.event["type"] for r in receiver.received] == [
        "content.published",
        "content.unpublished",
    ]


def test_one_failing_scheduled_publish_does_not_roll_back_the_others(
    home, endpoint, add_change_listener
):
    broken, fine = (StandardPageFactory(parent=home, live=False) for _ in range(2))
    revisions = [schedule(p, go_live_in=timedelta(hours=1)) for p in (broken, fine)]
    for revision in revisions:
        time_passes(revision, by=timedelta(hours=2))

    def fail_for_broken(changes):
        if any(change.page_id == broken.pk for change in changes):
            raise RuntimeError("rendering failed")

    add_change_listener(fail_for_broken)
    run = scheduled_publishing_run()

    assert run.failed == [f"revision {revisions[0].pk}"]
    assert run.published == [f"revision {revisions[1].pk}"]
    broken.refresh_from_db()
    fine.refresh_from_db()
    assert fine.live and PublishedVersion.objects.filter(page_id=fine.pk).exists()
    assert WebhookDelivery.objects.filter(page_id=fine.pk).exists()
    assert not broken.live
    assert not PublishedVersion.objects.filter(page_id=broken.pk).exists()
    assert not WebhookDelivery.objects.filter(page_id=broken.pk).exists()
    # Still approved: the next beat tries again.
    revisions[0].refresh_from_db()
    assert revisions[0].approved_go_live_at is not None


def test_a_second_run_publishes_nothing_twice(home, db):
    page = StandardPageFactory(parent=home, live=False)
    time_passes(schedule(page, go_live_in=timedelta(hours=1)), by=timedelta(hours=2))

    assert len(scheduled_publishing_run().published) == 1
    assert scheduled_publishing_run().published == []
    assert PublishedVersion.objects.filter(page_id=page.pk).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_beating_at_once_publish_each_revision_once(home):
    pages = [StandardPageFactory(parent=home, live=False) for _ in range(6)]
    for page in pages:
        time_passes(schedule(page, go_live_in=timedelta(hours=1)), by=timedelta(hours=2))
    runs, start = [], threading.Barrier(2)

    def worker():
        start.wait()
        try:
            runs.append(scheduled_publishing_run())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(label for run in runs for label in run.published) == sorted(
        f"revision {r.pk}"
        for r in Revision.objects.filter(object_id__in=[str(p.pk) for p in pages])
    )
    for page in pages:
        assert PublishedVersion.objects.filter(page_id=page.pk).count() == 1
        assert Change.objects.filter(page_id=page.pk).count() == 1

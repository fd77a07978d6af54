"""Publishing a release: all its pages in one transaction, or none; consecutive feed entries
sharing its id; each item's webhook plus one `content.release.published`; one cache purge;
conflicts refused until re-pinned or confirmed; the go-live time kept by the worker."""

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.models import Page

from pipeline.caches import PurgeBatch
from pipeline.changes import Entry, changes_append, feed_release
from pipeline.models import Change, FeedState, PublishedVersion
from pipeline.webhooks.models import WebhookDelivery, WebhookEndpoint
from releases import services
from releases.models import Release, ReleaseItem
from releases.scheduling import releases_publish_due

from . import task_queue
from .helpers import edit
from .release_support import (
    NEW_NAME,
    approve,
    draft,
    fresh,
    release_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint(db):
    return WebhookEndpoint.objects.create(url="https://hooks.example.org/cms")


@pytest.fixture
def frontend_cache(settings):
    settings.API_BASE_URL = "https://api.example.org"
    settings.WAGTAILFRONTENDCACHE = {
        "varnish": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": "http://127.0.0.1:9",
        }
    }


def release_entries(release):
    return list(Change.objects.filter(release_id=release.pk).order_by("seq"))


def purges(callbacks) -> list[PurgeBatch]:
    """The purge batches among a transaction's commit hooks (each hook is a batch's `send`)."""
    owners = (getattr(callback, "__self__", None) for callback in callbacks)
    return [owner for owner in owners if isinstance(owner, PurgeBatch)]


# All at once --------------------------------------------------------------------------------


def test_a_release_publishes_all_its_pages_with_consecutive_entries_sharing_its_id(
    three_changes, reviewer, api_client
):
    s = three_changes
    release = release_of(s.faq_isecg, s.nasa, s.ger4)
    before = FeedState.objects.get().last_seq

    release = services.release_publish(release=release, user=reviewer)

    assert release.status == Release.Status.PUBLISHED
    assert release.published_by == reviewer
    for page in (s.faq_isecg, s.nasa, s.ger4):
        stored = fresh(page)
        assert stored.live and not stored.has_unpublished_changes
        assert stored.live_revision_id == page.latest_revision_id
    entries = release_entries(release)
    seqs = [entry.seq for entry in entries]
    assert seqs == list(range(before + 1, before + 1 + len(entries)))  # consecutive, nothing else
    assert (release.first_seq, release.last_seq) == (seqs[0], seqs[-1])
    assert FeedState.objects.get().last_seq == seqs[-1]
    assert FeedState.objects.get().release_id is None
    assert {s.faq_isecg.pk, s.nasa.pk, s.ger4.pk} <= {entry.page_id for entry in entries}
    items = {item.page_id: item for item in release.items.all()}
    assert not any(item.active for item in items.values())
    for page in (s.faq_isecg, s.nasa, s.ger4):
        latest = PublishedVersion.objects.filter(page_id=page.pk).order_by("-number").first()
        assert items[page.pk].version == latest.number
    # The new release names the member by the name it got in the same release.
    ger4 = api_client.get(f"/api/v1/roadmap-releases/{s.ger4.pk}/").json()
    assert [agency["title"] for agency in ger4["contributing_agencies"]] == [NEW_NAME]
    feed = api_client.get("/api/v1/changes/", {"limit": 1000}).json()["results"]
    assert [e["seq"] for e in feed if e["release"] == release.pk] == seqs
    assert all(e["release"] is None for e in feed if e["seq"] < seqs[0])


def test_each_item_gets_its_webhook_and_the_release_one_more(three_changes, reviewer, endpoint):
    s = three_changes
    release = services.release_publish(
        release=release_of(s.faq_isecg, s.nasa, s.ger4), user=reviewer
    )

    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint)
    per_item = deliveries.exclude(event_type="content.release.published")
    [announced] = deliveries.filter(event_type="content.release.published")
    entries = release_entries(release)
    assert sorted(per_item.values_list("change_seq", flat=True)) == [e.seq for e in entries]
    assert all(json.loads(d.payload)["data"]["release"] == release.pk for d in per_item)
    event = json.loads(announced.payload)
    assert event["type"] == "content.release.published"
    assert announced.change_seq == release.last_seq
    data = event["data"]
    assert (data["release"], data["title"]) == (release.pk, "Edition 4 launch")
    assert (data["seq_from"], data["seq_to"]) == (release.first_seq, release.last_seq)
    versions = {item.page_id: item.version for item in release.items.all()}
    assert sorted((i["id"], i["version"], i["action"]) for i in data["items"]) == sorted(
        (page_id, version, "published") for page_id, version in versions.items()
    )
    assert {i["type"] for i in data["items"]} == {"faq", "member", "roadmap_release"}


def test_an_endpoint_may_subscribe_to_releases_only(three_changes, reviewer):
    hook = WebhookEndpoint.objects.create(
        url="https://a.example.org/", events=["release.published"]
    )
    services.release_publish(release=release_of(three_changes.nasa), user=reviewer)

    assert list(hook.deliveries.values_list("event_type", flat=True)) == [
        "content.release.published"
    ]


def test_the_cache_is_purged_once_for_the_whole_release(
    three_changes, reviewer, frontend_cache, django_capture_on_commit_callbacks
):
    s = three_changes
    release = release_of(s.faq_isecg, s.nasa, s.ger4)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.release_publish(release=release, user=reviewer)

    [batch] = purges(callbacks)
    for page, collection in (
        (s.faq_isecg, "faqs"),
        (s.nasa, "members"),
        (s.ger4, "roadmap-releases"),
    ):
        assert f"https://api.example.org/api/v1/{collection}/{page.pk}/" in batch.urls
    assert f"https://api.example.org/api/v1/releases/{release.pk}/" in batch.urls


# None at all --------------------------------------------------------------------------------


def test_a_release_whose_third_item_fails_leaves_nothing_of_any_item(
    three_changes,
    reviewer,
    endpoint,
    frontend_cache,
    django_capture_on_commit_callbacks,
    api_client,
):
    """GER 3 was pinned with GER 2 as its previous edition; GER 2 was then re-dated after it
    and published on its own. GER 3's publish (third) fails validation: the FAQ and the member
    published before it in the same transaction are rolled back too."""
    s = three_changes
    s.ger3 = draft(s.ger3, summary="Pinned for the launch.")
    release = release_of(s.faq_isecg, s.nasa, s.ger3)
    edit(s.ger2, release_date=datetime.date(2019, 1, 1))
    state = {
        "versions": PublishedVersion.objects.count(),
        "seq": FeedState.objects.get().last_seq,
        "deliveries": WebhookDelivery.objects.count(),
        "live": {p.pk: fresh(p).live_revision_id for p in (s.faq_isecg, s.nasa, s.ger3)},
    }

    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        pytest.raises(services.ReleaseFailed) as failed,
    ):
        services.release_publish(release=release, user=reviewer)

    assert s.ger3.title in str(failed.value) and "not earlier than this release" in str(
        failed.value
    )
    assert PublishedVersion.objects.count() == state["versions"]
    assert FeedState.objects.get().last_seq == state["seq"]
    assert not Change.objects.filter(seq__gt=state["seq"]).exists()
    assert WebhookDelivery.objects.count() == state["deliveries"]
    assert purges(callbacks) == []
    assert {p.pk: fresh(p).live_revision_id for p in (s.faq_isecg, s.nasa, s.ger3)} == state["live"]
    assert api_client.get(f"/api/v1/members/{s.nasa.pk}/").json()["title"] != NEW_NAME
    release.refresh_from_db()
    assert release.status == Release.Status.FAILED
    assert "not earlier than this release" in release.failure_reason
    assert release.items.filter(active=True).count() == 3  # still its pages, for a retry
    assert FeedState.objects.get().release_id is None


def test_a_failed_release_is_published_by_a_retry_once_fixed(three_changes, reviewer):
    s = three_changes
    s.ger3 = draft(s.ger3, summary="Pinned for the launch.")
    release = release_of(s.nasa, s.ger3)
    edit(s.ger2, release_date=datetime.date(2019, 1, 1))
    with pytest.raises(services.ReleaseFailed):
        services.release_publish(release=release, user=reviewer)
    edit(s.ger2, release_date=datetime.date(2013, 8, 1))

    release = services.release_publish(release=Release.objects.get(pk=release.pk), user=reviewer)

    assert release.status == Release.Status.PUBLISHED and release.failure_reason == ""


def test_a_page_whose_draft_goes_live_later_on_its_own_fails_the_release(three_changes, reviewer):
    s = three_changes
    later = timezone.now() + datetime.timedelta(days=3)
    s.esa = draft(s.esa, summary="Scheduled by its editor.", go_live_at=later)
    release = release_of(s.nasa, s.esa)

    with pytest.raises(services.ReleaseFailed, match="did not go live"):
        services.release_publish(release=release, user=reviewer)

    assert fresh(s.nasa).title != NEW_NAME


def test_an_unpublish_in_a_release_takes_the_page_down_and_its_embeds_with_it(
    site, reviewer, api_client
):
    s = site
    release = services.release_create(title="ESA leaves")
    services.release_item_add(release=release, page=s.esa, action=ReleaseItem.Action.UNPUBLISH)
    release = services.release_publish(release=approve(release), user=reviewer)

    assert not fresh(s.esa).live
    entries = release_entries(release)
    assert ("unpublished", s.esa.pk) in [(e.action, e.page_id) for e in entries]
    ger3 = api_client.get(f"/api/v1/roadmap-releases/{s.ger3.pk}/").json()
    assert [a["acronym"] for a in ger3["contributing_agencies"]] == ["JAXA", "NASA"]
    [item] = release.items.all()
    assert (item.page_type, item.version) == ("member", 1)


# The feed builder --------------------------------------------------------------------------


def test_feed_release_stamps_only_the_entries_appended_inside_it(site):
    entry = {"action": "published", "page_id": 1, "page_type": "page", "version": 1}

    with transaction.atomic(), feed_release(release_id=42):
        inside = changes_append(entries=[_entry(**entry)])
    outside = changes_append(entries=[_entry(**entry)])

    assert [c.release_id for c in inside] == [42]
    assert [c.release_id for c in outside] == [None]
    assert FeedState.objects.get().release_id is None


def test_feed_release_leaves_no_mark_when_its_block_fails(site):
    with pytest.raises(RuntimeError), feed_release(release_id=42):
        raise RuntimeError("the release failed")

    assert FeedState.objects.get().release_id is None


def _entry(**fields) -> Entry:
    return Entry(audiences=[[]], **fields)


# Conflicts ----------------------------------------------------------------------------------


def test_a_page_published_on_its_own_after_it_was_pinned_makes_the_release_stale(
    three_changes, reviewer
):
    s = three_changes
    release = release_of(s.faq_isecg, s.nasa)
    edit(s.esa, summary="Unrelated: ESA is not in the release.")
    nasa = fresh(s.nasa)
    nasa.save_revision().publish()  # someone published NASA's pinned draft on its own
    seq = FeedState.objects.get().last_seq

    with pytest.raises(services.ReleaseStale, match="Published on its own"):
        services.release_publish(release=release, user=reviewer)

    assert FeedState.objects.get().last_seq == seq
    assert Release.objects.get(pk=release.pk).status == Release.Status.APPROVED
    item = release.items.get(page_id=s.nasa.pk)
    services.release_item_confirm(item=item, user=reviewer)
    assert services.release_publish(release=release, user=reviewer).status == "published"


def test_a_newer_draft_makes_an_item_stale_until_re_pinned_which_needs_review_again(
    three_changes, reviewer
):
    s = three_changes
    release = release_of(s.faq_isecg, s.nasa)
    draft(s.nasa, summary="A later draft, not reviewed.")

    with pytest.raises(services.ReleaseStale, match="latest draft is revision"):
        services.release_publish(release=release, user=reviewer)

    item = release.items.get(page_id=s.nasa.pk)
    item = services.release_item_repin(item=item, user=reviewer)
    assert item.revision_id == fresh(s.nasa).latest_revision_id
    release.refresh_from_db()
    assert release.status == Release.Status.OPEN  # the re-pinned draft was never reviewed
    with pytest.raises(services.ReleaseRefused, match="only an approved"):
        services.release_publish(release=release, user=reviewer)
    assert services.release_publish(release=approve(release), user=reviewer).status == "published"


def test_a_release_in_review_keeps_its_items(three_changes):
    s = three_changes
    release = release_of(s.faq_isecg, approved=False)
    services.release_review_started(release=release)

    with pytest.raises(services.ReleaseRefused, match="in review"):
        services.release_item_add(release=release, page=s.nasa)
    with pytest.raises(services.ReleaseRefused, match="in review"):
        services.release_item_remove(item=release.items.get())


# One unfinished release per page -------------------------------------------------------------


def test_a_page_is_in_at_most_one_unfinished_release(three_changes, reviewer):
    s = three_changes
    first = release_of(s.nasa)
    second = services.release_create(title="Another")

    with pytest.raises(services.ReleaseRefused, match="already in the release"):
        services.release_item_add(release=second, page=s.nasa)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReleaseItem.objects.create(release=second, page_id=s.nasa.pk)  # the database says so too

    services.release_publish(release=first, user=reviewer)
    draft(s.nasa, title="Renamed again")
    services.release_item_add(release=second, page=s.nasa)  # free once the first went live


def test_a_cancelled_release_frees_its_pages(three_changes):
    s = three_changes
    release = release_of(s.nasa, approved=False)

    services.release_cancel(release=release)

    assert Release.objects.get(pk=release.pk).status == Release.Status.CANCELLED
    services.release_item_add(release=services.release_create(title="Next"), page=s.nasa)


# Who may publish ----------------------------------------------------------------------------


def test_an_editor_may_neither_publish_nor_schedule(three_changes, editor):
    release = release_of(three_changes.nasa)

    with pytest.raises(PermissionDenied):
        services.release_publish(release=release, user=editor)
    with pytest.raises(PermissionDenied):
        services.release_schedule(
            release=release, at=timezone.now() + datetime.timedelta(hours=1), user=editor
        )
    assert Release.objects.get(pk=release.pk).status == Release.Status.APPROVED


# The go-live time ---------------------------------------------------------------------------


def test_the_worker_publishes_a_scheduled_release_at_its_time_and_not_before(
    three_changes, reviewer
):
    s = three_changes
    at = timezone.now() + datetime.timedelta(hours=2)
    release = services.release_schedule(
        release=release_of(s.faq_isecg, s.nasa), at=at, user=reviewer
    )

    assert releases_publish_due(now=at - datetime.timedelta(seconds=1)) == []
    assert Release.objects.get(pk=release.pk).status == Release.Status.SCHEDULED
    assert releases_publish_due(now=at + datetime.timedelta(seconds=1)) == [release.pk]

    release.refresh_from_db()
    assert release.status == Release.Status.PUBLISHED
    assert release.published_by == reviewer  # who scheduled it
    assert fresh(s.nasa).title == NEW_NAME
    assert Page.objects.get(pk=s.nasa.pk).live_revision_id == s.nasa.latest_revision_id


def test_the_worker_beat_runs_release_publishing(three_changes, reviewer):
    release = services.release_schedule(
        release=release_of(three_changes.nasa),
        at=timezone.now() + datetime.timedelta(seconds=1),
        user=reviewer,
    )
    Release.objects.filter(pk=release.pk).update(
        publish_at=timezone.now() - datetime.timedelta(seconds=1)
    )

    task_queue.beat()

    assert Release.objects.get(pk=release.pk).status == Release.Status.PUBLISHED


def test_a_release_stale_at_its_go_live_time_is_marked_failed_not_retried(three_changes, reviewer):
    s = three_changes
    at = timezone.now() + datetime.timedelta(hours=1)
    release = services.release_schedule(release=release_of(s.nasa), at=at, user=reviewer)
    draft(s.nasa, summary="Edited after it was scheduled.")

    assert releases_publish_due(now=at + datetime.timedelta(minutes=1)) == []

    release.refresh_from_db()
    assert release.status == Release.Status.FAILED
    assert "Not published at its go-live time" in release.failure_reason
    assert releases_publish_due(now=at + datetime.timedelta(minutes=2)) == []

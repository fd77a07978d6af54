"""The changes feed: commit order, cursors, limits, bad input, retention, read cost."""

import datetime
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle
from wagtail.models import APIToken, PageViewRestriction

from api.params import decode_cursor, encode_cursor
from pipeline import changes as pipeline_changes
from pipeline.changes import changes_prune
from pipeline.models import Change, FeedState, PublishedVersion

from .factories import StandardPageFactory, UserFactory
from .helpers import assert_problem, changes, edit, feed, feed_all, publish

pytestmark = pytest.mark.django_db


def test_entries_come_in_commit_order_with_their_fields(api_client, site):
    edit(site.about, intro="Changed.")
    page = feed(api_client, limit=1000)
    assert set(page) == {"results", "next", "next_url", "has_more"}
    entries = feed_all(api_client)
    stored = changes(is_public=True)  # what an anonymous caller may read
    assert [e["seq"] for e in entries] == [c.seq for c in stored]
    assert [e["seq"] for e in entries] == sorted(e["seq"] for e in entries)
    last = entries[-1]
    about = site.about
    assert last == {
        "seq": stored[-1].seq,
        "action": "published",
        "type": "page",
        "id": about.pk,
        "version": 2,
        "at": stored[-1].at.isoformat().replace("+00:00", "Z"),
        "release": None,
        "api_url": f"/api/v1/pages/{about.pk}/",
    }
    member = next(e for e in entries if e["id"] == site.nasa.pk)
    assert member["api_url"] == f"/api/v1/members/{site.nasa.pk}/"
    assert member["type"] == "member"


def test_without_a_cursor_the_feed_starts_at_the_beginning(api_client, site):
    first = feed(api_client, limit=2)
    assert [e["seq"] for e in first["results"]] == [c.seq for c in changes(is_public=True)[:2]]
    assert first["has_more"] is True
    assert decode_cursor(first["next"]) == first["results"][-1]["seq"]


def test_following_next_reads_every_entry_once(api_client, site):
    seen, cursor = [], None
    while True:
        page = feed(api_client, cursor=cursor, limit=2)
        assert len(page["results"]) <= 2
        seen += [e["seq"] for e in page["results"]]
        cursor = page["next"]
        if not page["has_more"]:
            break
    assert seen == [c.seq for c in changes(is_public=True)]
    assert feed(api_client, cursor=cursor)["results"] == []
    assert feed(api_client, cursor=cursor)["next"] == cursor
    edit(site.nasa, summary="Later.")
    later = feed(api_client, cursor=cursor)
    assert [(e["action"], e["id"]) for e in later["results"]][0] == (
        "published",
        site.nasa.pk,
    )


def test_next_url_continues_the_feed(api_client, site):
    page = feed(api_client, limit=3)
    assert page["next_url"].endswith(f"/api/v1/changes/?cursor={page['next']}")


def test_unpublish_and_delete_appear_in_the_feed(api_client, site):
    nasa, esa = site.nasa, site.esa
    cursor = feed(api_client, limit=1000)["next"]
    type(nasa).objects.get(pk=nasa.pk).unpublish()
    type(esa).objects.get(pk=esa.pk).delete()
    entries = feed(api_client, cursor=cursor)["results"]
    own = [(e["action"], e["id"], e["version"]) for e in entries if e["id"] in (nasa.pk, esa.pk)]
    assert own == [("unpublished", nasa.pk, 1), ("deleted", esa.pk, 1)]
    # The release named both agencies: it was re-rendered without them, each time.
    release = [e for e in entries if e["id"] == site.ger3.pk]
    assert [e["action"] for e in release] == ["published", "published"]


def test_has_more_is_false_when_only_hidden_entries_are_left(api_client, site):
    private = publish(StandardPageFactory(parent=site.home, title="Private", slug="private"))
    restriction = PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.LOGIN
    )
    assert restriction.pk
    edit(private, intro="Members only now.")
    assert changes()[-1].page_id == private.pk and not changes()[-1].is_public
    page = feed(api_client, limit=1000)
    assert page["has_more"] is False
    own = [e["action"] for e in page["results"] if e["id"] == private.pk]
    assert own == ["published", "visibility_changed"]


def test_a_member_reads_the_entries_hidden_from_anonymous_callers(api_client, member_client, site):
    end = feed(api_client, limit=1000)["next"]
    agenda = publish(StandardPageFactory(parent=site.private, title="Agenda"))

    anonymous = feed(api_client, cursor=end)
    member = feed(member_client, cursor=end)

    assert (anonymous["results"], anonymous["has_more"]) == ([], False)
    assert ("published", agenda.pk) in [(e["action"], e["id"]) for e in member["results"]]
    assert member["has_more"] is False


@pytest.mark.parametrize("limit", ["0", "-1", "1001", "ten", "1.5"])
def test_limit_out_of_bounds_is_400(api_client, site, limit):
    body = assert_problem(api_client.get("/api/v1/changes/", {"limit": limit}), 400)
    assert "limit" in body["detail"]


def test_limit_bounds_the_page(api_client, site):
    assert len(feed(api_client, limit=1)["results"]) == 1
    public = changes(is_public=True)
    assert len(feed(api_client, limit=1000)["results"]) == len(public)
    assert len(feed(api_client)["results"]) == min(len(public), 100)


@pytest.mark.parametrize(
    "cursor",
    ["", "garbage", "!!!", encode_cursor(5)[:-2] + "$$", "c2VxOi0x", "c2VxOmFiYw", "eHl6OjQ"],
)
def test_malformed_cursor_is_400(api_client, site, cursor):
    body = assert_problem(api_client.get("/api/v1/changes/", {"cursor": cursor}), 400)
    assert "cursor" in body["detail"]


def test_a_cursor_ahead_of_the_feed_is_410(api_client, site):
    ahead = encode_cursor(FeedState.objects.get().last_seq + 1)
    body = assert_problem(api_client.get("/api/v1/changes/", {"cursor": ahead}), 410)
    assert "resync" in body["detail"]


def test_unknown_parameter_is_400(api_client, db):
    assert_problem(api_client.get("/api/v1/changes/", {"since": "1"}), 400)


def test_an_exception_inside_the_publish_transaction_leaves_no_version_and_no_entry(
    api_client, site
):
    nasa = type(site.nasa).objects.get(pk=site.nasa.pk)
    versions_before = PublishedVersion.objects.count()
    seq_before = FeedState.objects.get().last_seq
    nasa.summary = "Never published."
    revision = nasa.save_revision()
    with pytest.raises(RuntimeError), transaction.atomic():
        revision.publish()
        assert PublishedVersion.objects.count() > versions_before  # recorded, until...
        raise RuntimeError("the editor's request failed after publishing")
    assert PublishedVersion.objects.count() == versions_before
    assert FeedState.objects.get().last_seq == seq_before
    assert Change.objects.filter(seq__gt=seq_before).count() == 0
    assert feed(api_client, cursor=encode_cursor(seq_before))["results"] == []
    assert api_client.get(f"/api/v1/members/{nasa.pk}/").json()["summary"] != "Never published."


# Retention ---------------------------------------------------------------------------------


def age_entries(*, days: int, through_seq: int):
    Change.objects.filter(seq__lte=through_seq).update(
        at=timezone.now() - datetime.timedelta(days=days)
    )


def test_prune_deletes_entries_older_than_the_window_and_records_it(settings, site):
    settings.CHANGES_RETENTION_DAYS = 30
    old_through = changes()[3].seq
    age_entries(days=31, through_seq=old_through)
    total = len(changes())
    result = changes_prune()
    assert result.deleted == 4 and result.pruned_through == old_through
    assert [c.seq for c in changes()][0] == old_through + 1
    assert len(changes()) == total - 4
    assert FeedState.objects.get().pruned_through == old_through
    again = changes_prune()
    assert again.deleted == 0 and again.pruned_through == old_through


def test_prune_keeps_entries_inside_the_window(settings, site):
    settings.CHANGES_RETENTION_DAYS = 30
    age_entries(days=29, through_seq=changes()[-1].seq)
    assert changes_prune().deleted == 0
    assert FeedState.objects.get().pruned_through == 0


def test_prune_changes_command_dry_run_deletes_nothing(settings, site, capsys):
    settings.CHANGES_RETENTION_DAYS = 7
    age_entries(days=8, through_seq=changes()[1].seq)
    call_command("prune_changes", "--dry-run")
    assert "Would delete 2 change entries older than 7 days" in capsys.readouterr().out
    assert FeedState.objects.get().pruned_through == 0
    call_command("prune_changes")
    assert "Deleted 2 change entries" in capsys.readouterr().out
    assert FeedState.objects.get().pruned_through == changes()[0].seq - 1


def test_a_cursor_older_than_the_retention_window_is_410(api_client, settings, site):
    settings.CHANGES_RETENTION_DAYS = 30
    stale = feed(api_client, limit=1)["next"]
    fresh = feed(api_client, limit=5)["next"]
    age_entries(days=31, through_seq=changes()[3].seq)
    changes_prune()
    body = assert_problem(api_client.get("/api/v1/changes/", {"cursor": stale}), 410)
    assert "resync" in body["detail"]
    assert api_client.get("/api/v1/changes/", {"cursor": fresh}).status_code == 200
    restart = feed(api_client)
    assert restart["results"][0]["seq"] == changes()[0].seq


def test_a_cursor_pruned_while_it_is_read_is_410_not_a_gap(api_client, settings, site):
    """Retention marks the range first and deletes after: a reader caught between sees 410."""
    settings.CHANGES_RETENTION_DAYS = 30
    stale = feed(api_client, limit=1)["next"]
    FeedState.objects.update(pruned_through=changes()[3].seq)  # marked, not yet deleted
    assert_problem(api_client.get("/api/v1/changes/", {"cursor": stale}), 410)


# Read cost ---------------------------------------------------------------------------------


def fill_feed(count: int, *, restricted_every: int = 0):
    start = FeedState.objects.get().last_seq
    now = timezone.now()
    Change.objects.bulk_create(
        Change(
            seq=start + n,
            action="published",
            page_id=1000 + n,
            type="page",
            version=1,
            at=now,
            event_id=f"msg_fill{start + n}",
            is_public=not (restricted_every and n % restricted_every == 0),
            audiences=[[{"kind": "groups", "groups": [999]}]]
            if restricted_every and n % restricted_every == 0
            else [[]],
        )
        for n in range(1, count + 1)
    )
    FeedState.objects.update(last_seq=start + count)


def changes_queries(client, params, **extra) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/changes/", params, **extra)
    assert response.status_code == 200
    return len(queries)


def test_feed_read_cost_does_not_grow_with_the_feed(api_client, db):
    fill_feed(10)
    small = [
        changes_queries(api_client, {"limit": 100}),
        changes_queries(api_client, {"cursor": encode_cursor(5), "limit": 100}),
    ]
    fill_feed(990)
    large = [
        changes_queries(api_client, {"limit": 100}),
        changes_queries(api_client, {"cursor": encode_cursor(500), "limit": 100}),
    ]
    assert small == large
    assert max(large) <= 2


def test_token_feed_read_cost_is_bounded_when_most_entries_are_hidden(api_client, db):
    member = UserFactory(username="member", groups=["Members"])
    _, token = APIToken.create_token(user=member, name="feed")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    fill_feed(10, restricted_every=1)
    small = changes_queries(api_client, {"limit": 10}, **auth)
    fill_feed(2000, restricted_every=1)
    large = changes_queries(api_client, {"limit": 10}, **auth)
    assert small <= large <= small + 5
    page = feed(api_client, limit=10, **auth)
    assert page["results"] == [] and page["has_more"] is True
    assert decode_cursor(page["next"]) > 10  # the cursor moved past what it may not see


# Concurrency (PostgreSQL) ------------------------------------------------------------------

WRITERS = 6
PUBLISHES_PER_WRITER = 20


def on_postgres() -> bool:
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.skipif(
    not on_postgres(),
    reason="needs PostgreSQL (DATABASE_URL): what it proves is PostgreSQL's row lock keeping "
    "seq order = commit order; SQLite runs one write transaction at a time, so commits cannot "
    "reorder there, and this many writers against a hard-polling reader outwait its busy timeout",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_feed_reader_never_misses_an_entry_under_concurrent_publishes(home, monkeypatch):
    """Writers publish different pages at once, each in its own transaction and connection,
    while a reader follows the feed: every seq it reads is above its cursor, and in the end it
    has read every committed entry exactly once. An entry committed below a cursor already
    handed out would be missed for good."""
    monkeypatch.setattr(AnonRateThrottle, "rate", "1000000/s", raising=False)  # polls hard
    pages = [
        publish(StandardPageFactory(parent=home, title=f"Concurrent {n}", slug=f"concurrent-{n}"))
        for n in range(WRITERS)
    ]
    start_seq = FeedState.objects.get().last_seq
    errors: list[str] = []
    done = threading.Event()
    go = threading.Barrier(WRITERS + 1)
    seen: list[int] = []
    reads = 0

    def slow_listener(changes):
        # Keep each transaction open a moment after its entry got a seq, as a real publish
        # with embedders and a webhook outbox does: the window where reordering would happen.
        time.sleep(0.002)

    def writer(page_id: int):
        try:
            go.wait()
            for k in range(PUBLISHES_PER_WRITER):
                with transaction.atomic():
                    page = StandardPageFactory._meta.model.objects.get(pk=page_id)
                    page.intro = f"Edit {k}"
                    page.save_revision().publish()
        except Exception as exc:  # reported below: a thread cannot fail the test itself
            errors.append(f"writer {page_id}: {exc!r}")
        finally:
            connections.close_all()

    def reader():
        nonlocal reads
        client = APIClient()
        cursor = encode_cursor(start_seq)
        try:
            go.wait()
            while True:
                finished = done.is_set()
                response = client.get("/api/v1/changes/", {"cursor": cursor, "limit": 7})
                reads += 1
                if response.status_code != 200:
                    errors.append(f"reader: {response.status_code} {response.content[:200]}")
                    return
                body = response.json()
                floor = decode_cursor(cursor)
                for entry in body["results"]:
                    if entry["seq"] <= floor:
                        errors.append(f"seq {entry['seq']} read after cursor {floor}")
                    seen.append(entry["seq"])
                cursor = body["next"]
                if finished and not body["has_more"]:
                    return
        except Exception as exc:
            errors.append(f"reader: {exc!r}")
        finally:
            connections.close_all()

    monkeypatch.setattr(
        pipeline_changes, "CHANGE_LISTENERS", (*pipeline_changes.CHANGE_LISTENERS, slow_listener)
    )
    threads = [threading.Thread(target=writer, args=(p.pk,)) for p in pages]
    reading = threading.Thread(target=reader)
    for thread in [*threads, reading]:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    done.set()
    reading.join(timeout=120)

    committed = list(Change.objects.filter(seq__gt=start_seq).values_list("seq", flat=True))
    print(
        f"\n{WRITERS} writers x {PUBLISHES_PER_WRITER} publishes: {len(committed)} entries "
        f"committed, {len(seen)} read in {reads} feed requests"
    )
    assert errors == []
    assert len(committed) == WRITERS * PUBLISHES_PER_WRITER
    assert len(seen) == len(set(seen)), "an entry was read twice"
    assert seen == sorted(seen), "entries were read out of order"
    assert set(seen) == set(committed), "the reader missed entries"

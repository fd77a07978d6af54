"""On PostgreSQL: releases published concurrently with single publishes, while a reader
follows the feed. Every release's entries are consecutive and appear at once (the reader never
sees part of one), and the reader misses or reorders nothing."""

import threading
import time

import pytest
from django.db import connections, transaction
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from api.params import decode_cursor, encode_cursor
from content_models.models import StandardPage
from pipeline import changes as pipeline_changes
from pipeline.models import Change, FeedState
from releases import services
from releases.models import Release

from .factories import StandardPageFactory
from .helpers import publish
from .release_support import approve

RELEASES = 10
ITEMS = 5
RELEASE_THREADS = 5
WRITERS = 3
PUBLISHES_PER_WRITER = 15


# On PostgreSQL the releases and writers truly overlap; on SQLite's file test database they
# take turns, which still must never show a reader part of a release.
@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_reader_never_sees_part_of_a_release_under_concurrent_publishes(home, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "rate", "1000000/s", raising=False)
    home = publish(home)
    releases = []
    for r in range(RELEASES):
        pages = [
            publish(StandardPageFactory(parent=home, title=f"R{r} page {i}", slug=f"r{r}-p{i}"))
            for i in range(ITEMS)
        ]
        for page in pages:
            page.intro = f"Release {r}"
            page.save_revision()
        release = services.release_create(title=f"Release {r}")
        for page in pages:
            services.release_item_add(release=release, page=page)
        releases.append(approve(release).pk)
    singles = [
        publish(StandardPageFactory(parent=home, title=f"Single {n}", slug=f"single-{n}")).pk
        for n in range(WRITERS)
    ]
    start_seq = FeedState.objects.get().last_seq
    errors: list[str] = []
    done = threading.Event()
    go = threading.Barrier(RELEASE_THREADS + WRITERS + 1)
    seen: list[int] = []
    release_of_seq: dict[int, int | None] = {}
    first_sight: dict[int, int] = {}  # release -> how many of its entries were visible then

    def slow_listener(changes):
        # Keep each transaction open a moment after its entries got their seqs: the window in
        # which a reader could otherwise see part of a release.
        time.sleep(0.002)

    def release_publisher(release_ids: list[int]):
        try:
            go.wait()
            for release_id in release_ids:
                services.release_publish(release=Release.objects.get(pk=release_id))
        except Exception as exc:  # reported below: a thread cannot fail the test itself
            errors.append(f"release publisher: {exc!r}")
        finally:
            connections.close_all()

    def writer(page_id: int):
        try:
            go.wait()
            for k in range(PUBLISHES_PER_WRITER):
                with transaction.atomic():
                    page = StandardPage.objects.get(pk=page_id)
                    page.intro = f"Edit {k}"
                    page.save_revision().publish()
        except Exception as exc:
            errors.append(f"writer {page_id}: {exc!r}")
        finally:
            connections.close_all()

    def reader():
        client = APIClient()
        cursor = encode_cursor(start_seq)
        try:
            go.wait()
            while True:
                finished = done.is_set()
                response = client.get("/api/v1/changes/", {"cursor": cursor, "limit": 7})
                if response.status_code != 200:
                    errors.append(f"reader: {response.status_code} {response.content[:200]}")
                    return
                body = response.json()
                floor = decode_cursor(cursor)
                for entry in body["results"]:
                    if entry["seq"] <= floor:
                        errors.append(f"seq {entry['seq']} read after cursor {floor}")
                    seen.append(entry["seq"])
                    release_of_seq[entry["seq"]] = entry["release"]
                    release = entry["release"]
                    if release is not None and release not in first_sight:
                        # The first entry of a release is visible: so must all its others be.
                        whole = client.get(
                            "/api/v1/changes/",
                            {"cursor": encode_cursor(entry["seq"] - 1), "limit": 1000},
                        ).json()["results"]
                        first_sight[release] = sum(e["release"] == release for e in whole)
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
    shares = [releases[n::RELEASE_THREADS] for n in range(RELEASE_THREADS)]
    threads = [threading.Thread(target=release_publisher, args=(share,)) for share in shares]
    threads += [threading.Thread(target=writer, args=(page_id,)) for page_id in singles]
    reading = threading.Thread(target=reader)
    for thread in [*threads, reading]:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    done.set()
    reading.join(timeout=300)

    committed = list(
        Change.objects.filter(seq__gt=start_seq).order_by("seq").values_list("seq", "release_id")
    )
    print(
        f"\n{RELEASES} releases of {ITEMS} items and {WRITERS}x{PUBLISHES_PER_WRITER} single "
        f"publishes: {len(committed)} entries committed, {len(seen)} read"
    )
    assert errors == []
    assert Release.objects.filter(pk__in=releases, status="published").count() == RELEASES
    assert len(seen) == len(set(seen)), "an entry was read twice"
    assert seen == sorted(seen), "entries were read out of order"
    assert seen == [seq for seq, _ in committed], "the reader missed entries"
    by_release: dict[int, list[int]] = {}
    for seq, release_id in committed:
        if release_id is not None:
            by_release.setdefault(release_id, []).append(seq)
    assert sorted(by_release) == sorted(releases)
    for release_id, seqs in by_release.items():
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), f"release {release_id} split"
        assert len(seqs) == ITEMS
        assert first_sight[release_id] == len(seqs), f"a prefix of release {release_id} was seen"
    assert {seq: release for seq, release in committed} == release_of_seq

"""The feed position each process keeps in memory (pipeline.feed_watch): as fresh as the
database, with no query per read while its listener hears PostgreSQL's notifications.

The window between a publish's commit and the first read that sees it is bounded here in reads
and queries, not in time: the publishing process reads its own commit at once; any other process
reads it on its first read after its listener heard the commit's notification, which carries that
commit's position; a listener that hears nothing for the lease, or loses its connection, sends
every read back to the database. `bench/run.py` measures the window in milliseconds.
"""

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from pipeline import feed_watch
from pipeline.changes import feed_position
from pipeline.feed_watch import FeedWatch, position_sql, read_position, seq_of

from .factories import MemberProfilePageFactory, MembersIndexPageFactory
from .helpers import edit, publish

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="LISTEN/NOTIFY is PostgreSQL's"
)
committing = pytest.mark.django_db(transaction=True, serialized_rollback=True)
GUARD = 20  # seconds: only a failure ever waits this long


def db_position() -> str:
    with connection.cursor() as cursor:
        return read_position(cursor, vendor=connection.vendor)


@contextmanager
def a_listener(**overrides) -> Iterator[FeedWatch]:
    """A listener of its own, as another process would have: it learns of commits made here
    only from PostgreSQL (announce's on-commit update is for the process's own watch)."""
    options = {"heartbeat": 60.0, "lease": 120.0, **overrides}  # no heartbeat during a test
    watch = FeedWatch(
        connect=lambda: feed_watch.listener_connection(connection),
        read_position=feed_watch.listener_position,
        **options,
    ).start()
    try:
        assert watch.wait_for(lambda w: w.connected, GUARD), "the listener never connected"
        yield watch
    finally:
        watch.stop()


@pytest.fixture
def listening(settings):
    """This process keeps the position in memory (the test settings turn it off)."""
    settings.FEED_POSITION_LISTEN = True
    feed_watch.stop_process_watch()
    yield
    feed_watch.stop_process_watch()


@pytest.fixture
def index(home):
    return publish(MembersIndexPageFactory(parent=home))


def rename(page, title: str) -> str:
    """Publish `page` under a new title, committed; return the feed position it made."""
    edit(page, title=title)
    return db_position()


# Pure logic: no thread, no database ----------------------------------------------------------


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def idle_watch(clock) -> FeedWatch:
    return FeedWatch(connect=None, read_position=None, heartbeat=1.0, lease=3.0, clock=clock)


def test_the_memory_is_trusted_only_within_the_lease():
    clock = Clock()
    watch = idle_watch(clock)
    watch._store("7.msg_a", authoritative=True, since=0)
    assert watch.position() is None  # never heard from the database: not connected
    watch._heard()
    clock.now = 3.0
    assert watch.position() == "7.msg_a"
    clock.now = 3.01
    assert watch.position() is None
    watch._heard()  # a notification or heartbeat renews it
    assert watch.position() == "7.msg_a"
    watch._lost()
    assert watch.position() is None


def test_a_position_never_moves_back_except_by_the_databases_own_quiet_answer():
    watch = idle_watch(Clock())
    watch._store("5.msg_e", authoritative=True, since=0)
    watch._store("7.msg_g", authoritative=False)  # a notification
    watch._store("6.msg_f", authoritative=False)  # an older one (this process's on-commit)
    assert watch.held == "7.msg_g"

    # A heartbeat asked before 7 was stored and answered 6: 7 is newer, keep it.
    since = watch._stores - 1
    watch._store("6.msg_f", authoritative=True, since=since)
    assert watch.held == "7.msg_g"

    # Asked with nothing stored since, the database says 3: its feed went back (a restore).
    watch._store("3.msg_c", authoritative=True, since=watch._stores)
    assert watch.held == "3.msg_c"
    watch._store("4.msg_d", authoritative=False)
    assert watch.held == "4.msg_d"


def test_seq_of_reads_positions_and_the_empty_feed():
    assert seq_of("12.msg_x") == 12
    assert seq_of("empty") == 0


# On SQLite, and with the setting off -------------------------------------------------------


@pytest.mark.django_db
def test_without_postgresql_or_with_the_setting_off_every_read_asks_the_database(
    settings, django_assert_num_queries
):
    settings.FEED_POSITION_LISTEN = connection.vendor != "postgresql"
    try:
        with django_assert_num_queries(1):
            position = feed_position()
        assert position == db_position()
        assert feed_watch.process_watch(connection) is None
    finally:
        feed_watch.stop_process_watch()


# PostgreSQL: real commits, real notifications ----------------------------------------------


@on_postgres
@committing
def test_another_process_reads_a_commit_on_its_first_read_after_the_notification(index):
    page = publish(MemberProfilePageFactory(parent=index, title="Agency"))
    with a_listener() as watch:
        before = watch.position()
        assert before == db_position()

        after = rename(page, "Agency renamed")

        # The heartbeat is a minute away: only the commit's notification can bring it.
        assert watch.wait_for(lambda w: w.held == after, GUARD)
        assert watch.heard[-1] == after  # the notification carries the commit's position
        with CaptureQueriesContext(connection) as queries:
            assert watch.position() == after
        assert queries.captured_queries == []


@on_postgres
@committing
def test_a_transactions_appends_are_heard_in_order_ending_at_its_position(index):
    pages = [publish(MemberProfilePageFactory(parent=index, title=f"A{n}")) for n in range(3)]
    with a_listener() as watch:
        before = watch.held
        with transaction.atomic():
            for page in pages:
                page.title += " renamed"
                publish(page)
        after = db_position()
        assert watch.wait_for(lambda w: w.held == after, GUARD)
        seqs = [seq_of(position) for position in watch.heard]
        assert seqs == sorted(seqs) and seqs[0] > seq_of(before)
        assert watch.heard[-1] == after


@on_postgres
@committing
def test_a_rolled_back_publish_is_never_heard(index):
    page = publish(MemberProfilePageFactory(parent=index, title="Agency"))
    with a_listener() as watch:
        with pytest.raises(RuntimeError), transaction.atomic():
            page.title = "Never published"
            publish(page)
            raise RuntimeError("roll back")
        committed = rename(page, "Published")  # a barrier: heard after anything before

        assert watch.wait_for(lambda w: w.held == committed, GUARD)
        assert watch.heard == [committed]


@on_postgres
@committing
def test_the_publishing_process_reads_its_own_commit_at_once(index, listening):
    page = publish(MemberProfilePageFactory(parent=index, title="Agency"))
    # Its listener hears another channel: only announce's on-commit update can move it.
    with a_listener(channel="cms_feed_position_test_deaf") as deaf:
        feed_watch._watch, feed_watch._watch_pid = deaf, os.getpid()

        after = rename(page, "Agency renamed")

        with CaptureQueriesContext(connection) as queries:
            assert feed_position() == after
        assert queries.captured_queries == []
        assert deaf.heard == []


@on_postgres
@committing
def test_a_lost_listener_sends_reads_to_the_database_then_catches_up(
    index, listening, django_assert_num_queries
):
    page = publish(MemberProfilePageFactory(parent=index, title="Agency"))
    feed_position()  # starts this process's watch
    watch = feed_watch.process_watch(connection)
    assert watch.wait_for(lambda w: w.connected, GUARD)
    first_backend = watch.backend_pid
    reconnect = threading.Event()
    connect = watch._connect

    def gated_connect():
        assert reconnect.wait(GUARD)
        return connect()

    watch._connect = gated_connect
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [first_backend])
    assert watch.wait_for(lambda w: not w.connected, GUARD)
    with django_assert_num_queries(1):  # the memory is not trusted: ask the database
        position = feed_position()
    assert position == db_position()

    # Committed while nobody listens, and the process's own on-commit update undone: the
    # listener must find it by reading the position once it listens again.
    after = rename(page, "Renamed while deaf")
    watch._position = None
    reconnect.set()
    assert watch.wait_for(lambda w: w.connected and w.held == after, GUARD)
    assert watch.backend_pid != first_backend
    assert after not in watch.heard
    with django_assert_num_queries(0):
        position = feed_position()
    assert position == after


@on_postgres
@committing
def test_a_listener_that_hears_nothing_for_the_lease_is_not_trusted(index, listening, settings):
    settings.FEED_POSITION_HEARTBEAT_SECONDS = 60.0
    feed_position()
    watch = feed_watch.process_watch(connection)
    assert watch.wait_for(lambda w: w.connected, GUARD)
    clock = Clock()
    clock.now = watch._heard_at + watch.lease + 1  # a minute of silence, however caused
    watch.clock = clock

    with CaptureQueriesContext(connection) as queries:
        position = feed_position()
    assert position == db_position()
    assert [q["sql"] for q in queries.captured_queries] == [position_sql("postgresql")]


@on_postgres
@committing
def test_a_remembered_revalidation_runs_no_query_and_is_never_stale(
    index, listening, origin_cache, api_client
):
    """The API end to end: the origin cache answers from memory, and a commit heard by the
    listener sends the old ETag the new content on the first read after it."""
    page = publish(MemberProfilePageFactory(parent=index, title="Agency"))
    url = f"/api/v1/members/{page.pk}/"
    etag = api_client.get(url)["ETag"]  # the full path, remembered
    watch = feed_watch.process_watch(connection)
    assert watch.wait_for(lambda w: w.connected, GUARD)
    with CaptureQueriesContext(connection) as queries:
        assert api_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert queries.captured_queries == []

    after = rename(page, "Agency renamed")
    assert watch.wait_for(lambda w: w.held == after, GUARD)
    response = api_client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response.json()["title"] == "Agency renamed"


class ForgetfulConnection:
    """A connection whose LISTEN is lost, as behind a transaction-pooling proxy."""

    def __init__(self, conn):
        self._conn = conn

    def execute(self, sql, *args):
        if sql.startswith("LISTEN"):
            return None
        return self._conn.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self._conn, name)


@on_postgres
@pytest.mark.django_db
def test_a_listener_whose_listen_was_lost_is_never_trusted(caplog):
    attempts = []

    def connect():
        attempts.append(1)
        return ForgetfulConnection(feed_watch.listener_connection(connection))

    watch = FeedWatch(
        connect=connect, read_position=feed_watch.listener_position, heartbeat=60, lease=120
    ).start()
    try:
        # It connects, finds it does not listen, drops the connection and tries again.
        assert watch.wait_for(lambda w: len(attempts) >= 2, GUARD)
        assert watch.position() is None
        assert watch.held is None  # nothing read from a session that would not hear changes
        assert "does not listen" in caplog.text
    finally:
        watch.stop()

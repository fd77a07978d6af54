"""Where the change feed stands, kept in each process's memory by PostgreSQL LISTEN/NOTIFY.

Every read that may be answered from a cache first asks where the feed stands
(`pipeline.changes.feed_position`): the API's 304 revalidations (`api.middleware`), its list
cache, release previews. Asking the database is one round trip per request, and on PostgreSQL it
was most of a cached answer's time. Here each process keeps the position in memory instead, and
stays exactly as fresh:

- `changes_append` calls `announce` inside the transaction that appends entries: it runs
  `pg_notify(CHANNEL, position)`. PostgreSQL delivers a notification only if its transaction
  commits, after the commit is visible to every new snapshot, and in commit order.
- A daemon thread per process (`FeedWatch`) LISTENs on a connection of its own and stores each
  position it hears. After LISTEN, and again every `FEED_POSITION_HEARTBEAT_SECONDS`, it reads
  the position from the database: nothing committed between connecting and listening is missed,
  and each answer proves the connection alive.
- The process that appended also stores the new position on commit (`announce`), so it reads its
  own writes at once, without waiting for the notification to come back.
- Each of those reads also checks that the session still listens: behind a transaction-pooling
  proxy LISTEN is silently lost while queries still answer.
- A reader trusts the memory only while the thread is connected and has heard from the database
  within `FEED_POSITION_LEASE_SECONDS`; otherwise `position()` answers None and the caller asks
  the database, as it does on SQLite or with `FEED_POSITION_LISTEN` off. A dead, stuck or starved
  listener therefore costs speed, and freshness never worse than the lease.

What psycopg offers (`Connection.notifies`) is the receiving end; this module adds what a
long-lived listener in a web server needs and psycopg leaves to its user: reconnecting with
backoff, catching up after each (re)connect, the heartbeat and lease that bound a silent failure,
starting lazily in each forked worker, and never moving backwards (see `FeedWatch._store`).
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connections, transaction

from .models import Change

logger = logging.getLogger(__name__)

CHANNEL = "cms_feed_position"
APPLICATION_NAME = "cms feed watch"
# How long one wait for notifications lasts: how soon the thread notices `stop` or a heartbeat due.
WAKE_SECONDS = 0.25


def seq_of(position: str) -> int:
    """The seq a position names ("empty" is 0): positions of later commits have higher seqs."""
    head = position.partition(".")[0]
    return int(head) if head.isdigit() else 0


class NotListening(RuntimeError):
    """The listener's session no longer listens on its channel."""


class FeedWatch:
    """One process's listener: a thread that keeps `position()` current."""

    def __init__(
        self,
        *,
        connect: Callable[[], object],
        read_position: Callable[[object], str],
        heartbeat: float,
        lease: float,
        clock: Callable[[], float] = time.monotonic,
        channel: str = CHANNEL,
    ):
        self._connect = connect
        self.channel = channel
        self._read_position = read_position
        self.heartbeat = heartbeat
        self.lease = lease
        self.clock = clock
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._position: str | None = None
        self._stores = 0  # positions stored, whatever their source: see _store
        self._heard_at = float("-inf")
        self._connected = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.heard: list[str] = []  # the last notifications' payloads, newest last (diagnostics)
        self.backend_pid: int | None = None

    # Readers ------------------------------------------------------------------------------

    def position(self) -> str | None:
        """The feed position, or None when the memory may be stale: then ask the database."""
        with self._lock:
            if not self._connected or self.clock() - self._heard_at > self.lease:
                return None
            return self._position

    def wait_for(self, predicate: Callable[[FeedWatch], bool], timeout: float) -> bool:
        """Block until `predicate(self)` holds, or `timeout` passes (tests and tools)."""
        with self._changed:
            return self._changed.wait_for(lambda: predicate(self), timeout)

    @property
    def held(self) -> str | None:
        """The position in memory, trusted or not (tests and tools; readers use `position`)."""
        return self._position

    @property
    def connected(self) -> bool:
        return self._connected

    # Writers ------------------------------------------------------------------------------

    def advance(self, position: str) -> None:
        """Store a position this process just committed (only ever forward)."""
        self._store(position, authoritative=False)

    def _store(self, position: str, *, authoritative: bool, since: int | None = None) -> None:
        """Store a position, never moving backwards by seq.

        Notifications arrive in commit order, but a heartbeat's answer can be older than one
        already stored (a commit between the query's snapshot and its answer), and this
        process's own commits are stored by request threads. Only an authoritative read (the
        database's own answer) may move the position back, and only when nothing was stored
        since it was asked (`since`): the feed's seq went down, e.g. a database restored from a
        backup.
        """
        with self._changed:
            current = self._position
            moved_back = current is not None and seq_of(position) < seq_of(current)
            if moved_back and not (authoritative and self._stores == since):
                return
            if position != current:
                self._position = position
                self._stores += 1
            self._changed.notify_all()

    def _heard(self) -> None:
        with self._changed:
            self._heard_at = self.clock()
            self._connected = True
            self._changed.notify_all()

    def _lost(self) -> None:
        with self._changed:
            self._connected = False
            self._changed.notify_all()

    # The thread ---------------------------------------------------------------------------

    def start(self) -> FeedWatch:
        self._thread = threading.Thread(target=self._run, name="feed-watch", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread (it notices within `WAKE_SECONDS`) and wait for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._lost()

    def _run(self) -> None:
        backoff = 0.5
        while not self._stop.is_set():
            try:
                self._listen()
                backoff = 0.5
            except Exception as error:  # any failure: fall back to the database, retry
                self._lost()
                if self._stop.is_set():
                    break
                reason = (str(error).splitlines() or [type(error).__name__])[0]
                logger.warning("feed watch: %s; retrying in %.1f s", reason, backoff)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 30.0)

    def _read(self, conn) -> None:
        # Behind a pooler that hands each statement another server connection (PgBouncer's
        # transaction mode), LISTEN is lost, while queries, and so heartbeats, still answer:
        # the memory would stay trusted and go stale. Check that this session still listens.
        channels = [row[0] for row in conn.execute("SELECT pg_listening_channels()")]
        if self.channel not in channels:
            raise NotListening(
                f"this connection does not listen on {self.channel!r} (a transaction-pooling "
                "proxy?); reads ask the database. Connect it to PostgreSQL directly or set "
                "FEED_POSITION_LISTEN=0"
            )
        since = self._stores
        position = self._read_position(conn)
        self._store(position, authoritative=True, since=since)
        self._heard()

    def _listen(self) -> None:
        conn = self._connect()
        try:
            self.backend_pid = conn.info.backend_pid
            conn.execute(f"LISTEN {self.channel}")
            self._read(conn)  # after LISTEN: a commit in between is heard, or read here
            read_at = time.monotonic()
            while not self._stop.is_set():
                for notify in conn.notifies(timeout=WAKE_SECONDS):
                    self.heard = [*self.heard[-99:], notify.payload]
                    self._store(notify.payload, authoritative=False)
                    self._heard()
                if time.monotonic() - read_at >= self.heartbeat:
                    self._read(conn)  # the heartbeat: ask the database itself
                    read_at = time.monotonic()
        finally:
            self._lost()
            conn.close()


# The process's watch ------------------------------------------------------------------------

_watch: FeedWatch | None = None
_watch_pid: int | None = None
_watch_lock = threading.Lock()


def listening(connection) -> bool:
    """Whether this process keeps the position in memory (PostgreSQL, setting on)."""
    return connection.vendor == "postgresql" and settings.FEED_POSITION_LISTEN


def process_watch(connection) -> FeedWatch | None:
    """This process's watch, started on first use (and again in each forked child)."""
    global _watch, _watch_pid
    if not listening(connection):
        return None
    pid = os.getpid()
    if _watch is not None and _watch_pid == pid:
        return _watch
    with _watch_lock:
        if _watch is None or _watch_pid != pid:
            _watch = FeedWatch(
                connect=lambda: listener_connection(connection),
                read_position=listener_position,
                heartbeat=settings.FEED_POSITION_HEARTBEAT_SECONDS,
                lease=settings.FEED_POSITION_LEASE_SECONDS,
            ).start()
            _watch_pid = pid
    return _watch


def stop_process_watch() -> None:
    """Stop this process's watch (tests; a settings change)."""
    global _watch, _watch_pid
    with _watch_lock:
        watch, _watch, _watch_pid = _watch, None, None
    if watch is not None:
        watch.stop()


def read_position(cursor, *, vendor: str) -> str:
    """Read the feed position through `cursor` (Django's, or a listener's psycopg one)."""
    cursor.execute(position_sql(vendor))
    row = cursor.fetchone()
    return "empty" if row is None else position_of(*row)


def listener_position(conn) -> str:
    with conn.cursor() as cursor:
        return read_position(cursor, vendor="postgresql")


def position_of(seq: int, event_id: str) -> str:
    return f"{seq}.{event_id}"


@functools.cache
def position_sql(vendor: str) -> str:
    """Return the SQL that reads the position.

    Plain SQL, built once: on a cached list this query was most of the work, and building it
    with the ORM on every request cost more than running it (an index lookup on the pk).
    """
    quote = connections[Change.objects.db].ops.quote_name
    seq = quote(Change._meta.get_field("seq").column)
    event_id = quote(Change._meta.get_field("event_id").column)
    table = quote(Change._meta.db_table)
    return f"SELECT {seq}, {event_id} FROM {table} ORDER BY {seq} DESC LIMIT 1"  # noqa: S608


def listener_connection(connection):
    """A new autocommit connection to the database `connection` uses, for LISTEN only."""
    import psycopg

    params = connection.get_connection_params()
    for django_only in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(django_only, None)
    params.setdefault("connect_timeout", 5)
    params["application_name"] = APPLICATION_NAME
    return psycopg.connect(autocommit=True, **params)


def announce(connection_alias: str, position: str) -> None:
    """Tell every process the feed moved to `position` when the current transaction commits."""
    connection = connections[connection_alias]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, position])
    if _watch is not None and _watch_pid == os.getpid():
        watch = _watch
        transaction.on_commit(lambda: watch.advance(position), using=connection_alias)

"""The real task workers and beat as separate processes, on the test database.

Two backends, as in production: django-tasks-db (`manage.py db_worker`) and RQ on Redis
(`manage.py rqworker --with-scheduler`), each next to one `manage.py beat`.

A worker process must see what the test commits, so the test runs without its wrapping
transaction (`transaction=True`). PostgreSQL's test database is shared as it is; SQLite's is in
memory, which another process cannot open, so `shared_database` moves the test onto a file copy
of it for the duration of the test and back afterwards. RQ's queue lives in one Redis database
(TEST_REDIS_URL) shared by every test process: `rq_queue` holds a Redis lock while a test uses
it, so two pytest-xdist workers never run each other's jobs against the wrong database.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

# Fast retries and a short lease, so outages and kills play out in seconds.
FAST_ENV = {
    "WEBHOOK_RETRY_SCHEDULE": ",".join(["0.2", "0.4", "0.8", "1.6"] + ["2"] * 300),
    "WEBHOOK_LEASE_SECONDS": "3",
    "WEBHOOK_TIMEOUT_SECONDS": "2",
    "WEBHOOK_SWEEP_STALE_SECONDS": "5",
    "WORKER_BEAT_SECONDS": "0.5",
}
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
BACKENDS = ("database", "rq")
RQ_LOCK_SECONDS = 900


@contextmanager
def shared_database(tmp_path: Path):
    """Yield a DATABASE_URL for the test database that another process can open."""
    params = connection.settings_dict
    if connection.vendor == "postgresql":
        yield (
            f"postgres://{params['USER']}@{params['HOST'] or '127.0.0.1'}:"
            f"{params['PORT'] or 5432}/{params['NAME']}"
        )
        return
    assert connection.vendor == "sqlite", f"no shared database for {connection.vendor}"
    connection.ensure_connection()
    memory = connection.connection
    path = tmp_path / "shared.sqlite3"
    with sqlite3.connect(path) as copy:
        memory.backup(copy)
    original_name = params["NAME"]
    connection.connection = None  # keep the in-memory database open, aside
    params["NAME"] = str(path)
    try:
        yield f"sqlite:///{path}"
    finally:
        connection.close()
        params["NAME"] = original_name
        connection.connection = memory


@contextmanager
def rq_queue():
    """Yield the Redis URL of RQ's queue for this test, emptied, and held by this test only."""
    client = redis.Redis.from_url(TEST_REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError as error:
        pytest.skip(f"RQ needs Redis at {TEST_REDIS_URL} (TEST_REDIS_URL): {error}")
    with client.lock(
        "cms-tests:rq-queue", timeout=RQ_LOCK_SECONDS, blocking_timeout=RQ_LOCK_SECONDS
    ):
        _rq_clear(client)
        try:
            yield TEST_REDIS_URL
        finally:
            _rq_clear(client)
            client.close()


def _rq_clear(client: redis.Redis) -> None:
    keys = list(client.scan_iter("rq:*", count=1000))
    if keys:
        client.delete(*keys)


def backend_settings(backend: str, redis_url: str | None) -> dict:
    """Return the settings of this process (the one publishing) for a backend."""
    if backend == "database":
        return {"TASKS": {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}}
    return {
        "TASKS": {"default": {"BACKEND": "cms.tasks.RQBackend"}},
        "RQ_QUEUES": {"default": {"URL": redis_url, "DEFAULT_TIMEOUT": 600}},
    }


class ManagedProcess:
    """A `manage.py` command in a subprocess of its own session, its output in a log file."""

    def __init__(self, argv: list[str], *, database_url: str, log: Path, env: dict[str, str]):
        self.argv = argv
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "cms.settings.test",
            "DATABASE_URL": database_url,
            "PYTHONUNBUFFERED": "1",
            **FAST_ENV,
            **env,
        }
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self):
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", *self.argv],
                cwd=settings.BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def kill(self) -> int:
        """SIGKILL to the process and every descendant (RQ's work horse runs in a session of
        its own): no cleanup at all, as when the machine dies or systemd kills the unit's
        control group."""
        for pid in [self.process.pid, *descendants(self.process.pid)]:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return self.process.wait(timeout=30)

    def terminate(self, timeout: float = 30) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def worker_process(backend: str, **kwargs) -> ManagedProcess:
    """The queue's own worker: `db_worker` on every queue, or `rqworker` with its scheduler
    (deferred retries wait in RQ's scheduled registry until it moves them to the queue)."""
    if backend == "database":
        argv = ["db_worker", "--queue-name", "*", "--interval", "0.2", "--no-reload"]
        argv.append("--no-startup-delay")
    else:
        argv = ["rqworker", "--with-scheduler", "default"]
    return ManagedProcess(argv, **kwargs)


def beat_process(**kwargs) -> ManagedProcess:
    return ManagedProcess(["beat"], **kwargs)


def backend_env(backend: str, redis_url: str | None) -> dict[str, str]:
    """Return the environment selecting a backend in the worker and beat processes."""
    if backend == "database":
        return {"TASKS_BACKEND": "database"}
    return {"TASKS_BACKEND": "rq", "REDIS_URL": redis_url}


def descendants(pid: int) -> list[int]:
    """Return the pids of a process's descendants (Linux /proc), children first."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            with suppress(OSError):
                children = [int(child) for child in (task / "children").read_text().split()]
                found += children
                todo += children
    return found

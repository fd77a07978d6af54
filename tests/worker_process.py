"""The real worker (`manage.py run_worker`) as a separate process, on the test database.

A worker process must see what the test commits, so the test runs without its wrapping
transaction (`transaction=True`). PostgreSQL's test database is shared as it is; SQLite's is in
memory, which another process cannot open, so `shared_database` moves the test onto a file copy
of it for the duration of the test and back afterwards.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

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


class WorkerProcess:
    """`manage.py run_worker` in a subprocess, with its output in a log file."""

    def __init__(self, *, database_url: str, log: Path, env: dict[str, str] | None = None):
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "cms.settings.test",
            "DATABASE_URL": database_url,
            "PYTHONUNBUFFERED": "1",
            **FAST_ENV,
            **(env or {}),
        }
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> WorkerProcess:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "run_worker", "--interval", "0.2"],
                cwd=settings.BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def kill(self) -> int:
        """SIGKILL: no cleanup at all, as when the machine or the OOM killer stops it."""
        self.process.send_signal(signal.SIGKILL)
        return self.process.wait(timeout=30)

    def terminate(self, timeout: float = 30) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace")

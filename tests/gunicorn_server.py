"""Real gunicorn app servers for tests: the project's gunicorn.conf.py, a free loopback port, the
access and error logs in files the test reads. Started and stopped by the test.

They run `cms.settings.dev` (what `make run` and a laptop use) unless the test says otherwise,
on a database they never open: tests use them for what happens before any query (throttling,
logging, authentication failures), so no test database has to be shared with them.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
START_TIMEOUT = 60


@dataclass
class AppServer:
    url: str
    access_log: Path
    error_log: Path
    process: subprocess.Popen


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def app_server(
    tmp_path: Path, *, name: str = "web", env: dict[str, str], workers: int = 2, threads: int = 2
):
    """Run gunicorn with `env` on top of the test's environment; yield an `AppServer`."""
    port = free_port()
    access_log, error_log = tmp_path / f"{name}-access.log", tmp_path / f"{name}-error.log"
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    environment.update(
        DJANGO_SETTINGS_MODULE="cms.settings.dev", CMS_VAR_DIR=str(tmp_path / "var"), **env
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(BASE_DIR / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--access-logfile",
            str(access_log),
            "--error-logfile",
            str(error_log),
            "cms.wsgi:application",
        ],
        cwd=BASE_DIR,
        env=environment,
        start_new_session=True,
    )
    server = AppServer(f"http://127.0.0.1:{port}", access_log, error_log, process)
    try:
        _wait_until_serving(server, workers)
        yield server
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_until_serving(server: AppServer, workers: int) -> None:
    """Wait until the port accepts connections and every worker has booted (a request sent
    before a worker has loaded the project waits for it; no probe request, which would count
    towards throttles and show in the access log)."""
    host, port = server.url.removeprefix("http://").split(":")
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {server.error_log.read_text()[-3000:]}")
        log = server.error_log.read_text() if server.error_log.exists() else ""
        if log.count("Booting worker") >= workers:
            try:
                socket.create_connection((host, int(port)), timeout=5).close()
                return
            except OSError:
                pass
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not start: {server.error_log.read_text()[-3000:]}")


def status_of(url: str, headers: dict[str, str] | None = None) -> int:
    """GET `url` and return the status, whatever it is."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        error.read()
        return error.code

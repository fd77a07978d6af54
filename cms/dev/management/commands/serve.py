"""Serve the CMS for `make run`: the web server, the task worker, the beat and the frontend.

One command supervises them all so that Ctrl-C stops everything and a crash of one part is not
hidden behind the others still answering.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# The task queue's own worker (django-tasks-db's, or RQ's with TASKS_BACKEND=rq) and the beat
# that enqueues the periodic tasks (scheduled publishing, the webhook sweeper; pipeline.periodic).
WORKER_COMMAND = ("db_worker", "--queue-name", "*", "--interval", "0.5", "--no-reload")
RQ_WORKER_COMMAND = ("rqworker", "--with-scheduler", "default")
BEAT_COMMAND = ("beat",)
FRONTEND_SCRIPT = Path("frontend") / "serve.py"
POLL_SECONDS = 0.2
SHUTDOWN_GRACE_SECONDS = 10.0


@dataclass(frozen=True)
class Child:
    """A process `serve` runs: a name for messages and its command line."""

    name: str
    argv: tuple[str, ...]


def child_processes(
    *, host: str, port: int, frontend_port: int, worker: bool = True, base_dir: Path | None = None
) -> list[Child]:
    """Return the processes to run, in start order."""
    base_dir = Path(base_dir or settings.BASE_DIR)
    manage = (sys.executable, str(base_dir / "manage.py"))
    # --noreload: the worker does not reload either, and a reloaded web server next to a stale
    # worker would run two versions of the code; one process per child also keeps stopping simple.
    children = [Child("web", (*manage, "runserver", f"{host}:{port}", "--noreload"))]
    if worker:
        rq = settings.TASKS["default"]["BACKEND"].endswith(".RQBackend")
        children.append(Child("worker", (*manage, *(RQ_WORKER_COMMAND if rq else WORKER_COMMAND))))
        children.append(Child("beat", (*manage, *BEAT_COMMAND)))
    frontend = base_dir / FRONTEND_SCRIPT
    if frontend.exists():
        api = f"http://{_reachable(host)}:{port}"  # the frontend reads this server's API
        children.append(
            Child(
                "frontend",
                (sys.executable, str(frontend), "--port", str(frontend_port), "--api", api),
            )
        )
    return children


def _reachable(host: str) -> str:
    """Return an address a browser can use for a server listening on `host`."""
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 (a bind address, not a bind)
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


class Command(BaseCommand):
    help = (
        "Run the web server (admin and API), the task worker, the beat and, if frontend/serve.py "
        "exists, the frontend, until Ctrl-C or SIGTERM; stop all of them if one exits."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to serve on.")
        parser.add_argument("--port", type=int, default=8000, help="Admin and API port.")
        parser.add_argument(
            "--frontend-port", type=int, default=8001, help="Port of frontend/serve.py, if any."
        )
        parser.add_argument(
            "--no-worker",
            action="store_false",
            dest="worker",
            help="Do not run the task worker (background tasks then wait in the queue).",
        )

    def handle(self, *, host, port, frontend_port, worker, verbosity, **options):
        children = child_processes(host=host, port=port, frontend_port=frontend_port, worker=worker)
        self.signals_received: list[int] = []
        previous_handlers = {
            signum: signal.signal(signum, self.on_signal)
            for signum in (signal.SIGINT, signal.SIGTERM)
        }
        running: dict[Child, subprocess.Popen] = {}
        try:
            for child in children:
                running[child] = start(child)
            if verbosity:
                self.announce(running, host=host, port=port, frontend_port=frontend_port)
            exited = self.wait_for_signal_or_exit(running)
            if exited is None:
                self.stop(running, self.signals_received[0])
                return
            child, code = exited
            others = ", ".join(other.name for other in running if other != child) or "nothing"
            raise CommandError(  # printed after `finally` has stopped the others
                f"{child.name} (pid {running[child].pid}) {describe_exit(code)}; stopped {others}."
            )
        finally:
            self.stop(running, signal.SIGTERM)
            for signum, handler in previous_handlers.items():
                signal.signal(signum, handler)

    def on_signal(self, signum, frame):
        self.signals_received.append(signum)

    def wait_for_signal_or_exit(self, running) -> tuple[Child, int] | None:
        """Wait until a signal arrives (None) or a child exits (that child, its exit code)."""
        while not self.signals_received:
            for child, process in running.items():
                if process.poll() is not None:
                    return child, process.returncode
            time.sleep(POLL_SECONDS)
        return None

    def stop(self, running, signum: int) -> None:
        """Send `signum` to the children, wait for them, and kill those that outstay the grace."""
        alive = [process for process in running.values() if process.poll() is None]
        if not alive:
            return
        forwarded = len(self.signals_received)
        for process in alive:
            send(process, signum)
        deadline = time.monotonic() + SHUTDOWN_GRACE_SECONDS
        while any(process.poll() is None for process in alive):
            if len(self.signals_received) > forwarded:
                # A second Ctrl-C: pass it on, the worker then abandons its current task.
                forwarded = len(self.signals_received)
                for process in alive:
                    send(process, self.signals_received[-1])
            if time.monotonic() > deadline:
                for process in alive:
                    send(process, signal.SIGKILL)
            time.sleep(POLL_SECONDS)

    def announce(self, running, *, host, port, frontend_port) -> None:
        base = f"http://{host}:{port}"
        api = f"{base}{settings.API_URL_PREFIX}"
        urls = {"admin": f"{base}/admin/", "API": api, "health": f"{api}health/"}
        if any(child.name == "frontend" for child in running):
            urls["frontend"] = f"http://{host}:{frontend_port}/"
        lines = [f"  {name:<9}{url}" for name, url in urls.items()]
        pids = ", ".join(f"{child.name} (pid {process.pid})" for child, process in running.items())
        self.stdout.write("\n".join(["Serving the CMS; Ctrl-C stops everything.", *lines]))
        self.stdout.write(f"Started {pids}.")
        self.stdout.flush()


def describe_exit(code: int) -> str:
    if code < 0:
        return f"was killed by {signal.Signals(-code).name}"
    return f"exited with code {code}"


def start(child: Child) -> subprocess.Popen:
    # A session of its own: Ctrl-C in the terminal reaches only `serve`, which forwards it once,
    # and a signal to the child's process group also reaches anything the child started.
    return subprocess.Popen(child.argv, start_new_session=True)  # noqa: S603


def send(process: subprocess.Popen, signum: int) -> None:
    """Signal the child's process group, ignoring a group that has already gone."""
    # macOS answers EPERM instead of ESRCH for a group whose leader is a zombie.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)

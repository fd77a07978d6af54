"""Serve the CMS for `make run`: the web server, the task worker, the beat and the frontend.

One command supervises them all: Ctrl-C stops everything; a child that crashes is started again
after a growing pause (1 s, 2 s, 4 s ... up to 30 s), with one line saying so, while the others
keep serving. The web server failing on its first start (a port in use) stops everything, as
does the web server crashing MAX_RESTARTS times in a row; another child is then left stopped.
"""

import contextlib
import os
import signal
import socket
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
BACKOFF_FIRST_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 30.0
HEALTHY_SECONDS = 30.0  # a child that ran this long before crashing starts the backoff afresh
STARTUP_SECONDS = 5.0  # the web server exiting this soon after its first start is fatal
MAX_RESTARTS = 8  # consecutive quick crashes before giving up on a child
BANNER_WAIT_SECONDS = 60.0


@dataclass(frozen=True)
class Child:
    """A process `serve` runs: a name for messages and its command line."""

    name: str
    argv: tuple[str, ...]
    # Send stdout (and, when `quiet_stderr`, stderr too) to var/log/<name>.log unless LOG_LEVEL
    # is INFO or DEBUG: the web server's start-up text, the frontend's request lines.
    quiet_stdout: bool = False
    quiet_stderr: bool = False


def child_processes(
    *, host: str, port: int, frontend_port: int, worker: bool = True, base_dir: Path | None = None
) -> list[Child]:
    """Return the processes to run, in start order."""
    base_dir = Path(base_dir or settings.BASE_DIR)
    manage = (sys.executable, str(base_dir / "manage.py"))
    # --noreload: the worker does not reload either, and a reloaded web server next to a stale
    # worker would run two versions of the code; one process per child also keeps stopping simple.
    children = [
        Child("web", (*manage, "runserver", f"{host}:{port}", "--noreload"), quiet_stdout=True)
    ]
    if worker:
        rq = settings.TASKS["default"]["BACKEND"].endswith(".RQBackend")
        children.append(Child("worker", (*manage, *(RQ_WORKER_COMMAND if rq else WORKER_COMMAND))))
        children.append(Child("beat", (*manage, *BEAT_COMMAND)))
    frontend = base_dir / FRONTEND_SCRIPT
    if frontend.exists():
        api = f"http://{_reachable(host)}:{port}"  # the frontend reads this server's API
        frontend_host = host if host and ":" not in host else "127.0.0.1"  # it speaks IPv4 only
        children.append(
            Child(
                "frontend",
                (
                    *(sys.executable, str(frontend), "--host", frontend_host),
                    *("--port", str(frontend_port), "--api", api),
                ),
                quiet_stdout=True,
                quiet_stderr=True,
            )
        )
    return children


@dataclass(eq=False)
class Supervised:
    """A child and its current process, if any, with its crash record."""

    child: Child
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    starts: int = 0
    crashes: int = 0  # consecutive quick crashes
    restart_at: float | None = None
    gave_up: bool = False


def _reachable(host: str) -> str:
    """Return an address a browser can use for a server listening on `host`."""
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 (a bind address, not a bind)
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


class Command(BaseCommand):
    help = (
        "Run the web server (admin and API), the task worker, the beat and, if frontend/serve.py "
        "exists, the frontend, until Ctrl-C or SIGTERM; restart a crashed one with backoff."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--host",
            default=getattr(settings, "DEV_HOST", "127.0.0.1"),
            help="Address to serve on (default: $HOST or 127.0.0.1).",
        )
        parser.add_argument(
            "--port",
            type=int,
            default=getattr(settings, "DEV_PORT", 8000),
            help="Admin and API port (default: $PORT or 8000).",
        )
        parser.add_argument(
            "--frontend-port",
            type=int,
            default=getattr(settings, "DEV_FRONTEND_PORT", 8001),
            help="Port of frontend/serve.py, if any (default: $FRONTEND_PORT or 8001).",
        )
        parser.add_argument(
            "--no-worker",
            action="store_false",
            dest="worker",
            help="Do not run the task worker (background tasks then wait in the queue).",
        )

    def handle(self, *, host, port, frontend_port, worker, verbosity, **options):
        self.verbosity = verbosity
        self.host, self.port, self.frontend_port = host, port, frontend_port
        # The children's settings derive every URL from these (cms.settings.dev).
        self.env = {
            **os.environ,
            "HOST": host,
            "PORT": str(port),
            "FRONTEND_PORT": str(frontend_port),
        }
        level = os.environ.get("LOG_LEVEL", "WARNING").upper()
        self.quiet = level not in ("DEBUG", "INFO")
        self.log_dir = Path(getattr(settings, "VAR_DIR", settings.BASE_DIR / "var")) / "log"
        children = child_processes(host=host, port=port, frontend_port=frontend_port, worker=worker)
        self.signals_received: list[int] = []
        previous_handlers = {
            signum: signal.signal(signum, self.on_signal)
            for signum in (signal.SIGINT, signal.SIGTERM)
        }
        self.supervised = [Supervised(child) for child in children]
        try:
            for entry in self.supervised:
                self.launch(entry)
            failure = self.supervise()
            if failure is None:
                # SIGTERM, whatever arrived: a child still starting up then exits quietly
                # instead of printing a KeyboardInterrupt traceback; both stop the worker
                # gracefully.
                self.stop(signal.SIGTERM)
                return
            others = ", ".join(e.child.name for e in self.supervised if e.process is not None)
            raise CommandError(f"{failure}; stopped {others or 'nothing'}.")
        finally:
            self.stop(signal.SIGTERM)
            for signum, handler in previous_handlers.items():
                signal.signal(signum, handler)

    def on_signal(self, signum, frame):
        self.signals_received.append(signum)

    # Starting and restarting ------------------------------------------------------------------

    def launch(self, entry: Supervised) -> None:
        child = entry.child
        stdout = stderr = None
        if self.quiet and (child.quiet_stdout or child.quiet_stderr):
            self.log_dir.mkdir(parents=True, exist_ok=True)
            log = (self.log_dir / f"{child.name}.log").open("ab")
            stdout = log if child.quiet_stdout else None
            stderr = log if child.quiet_stderr else None
        try:
            entry.process = start(child, env=self.env, stdout=stdout, stderr=stderr)
        finally:
            if stdout is not None or stderr is not None:
                (stdout or stderr).close()  # the child holds its own copy
        entry.started_at = time.monotonic()
        entry.starts += 1
        entry.restart_at = None

    def supervise(self) -> str | None:
        """Watch the children until a signal (None) or a fatal failure (its description)."""
        banner_due = self.verbosity > 0
        banner_deadline = time.monotonic() + BANNER_WAIT_SECONDS
        while not self.signals_received:
            now = time.monotonic()
            for entry in self.supervised:
                process = entry.process
                if process is not None and process.poll() is not None:
                    failure = self.on_exit(entry, process.returncode, now)
                    if failure:
                        return failure
                elif process is None and entry.restart_at is not None and now >= entry.restart_at:
                    self.launch(entry)
                    self.say(f"{entry.child.name} restarted (pid {entry.process.pid}).")
            if banner_due and (self.web_answers() or now > banner_deadline):
                banner_due = False
                self.announce()
            time.sleep(POLL_SECONDS)
        return None

    def on_exit(self, entry: Supervised, code: int, now: float) -> str | None:
        """Plan the restart of a child that exited; return a description if it is fatal."""
        child, pid = entry.child, entry.process.pid
        entry.process = None
        lived = now - entry.started_at
        what = f"{child.name} (pid {pid}) {describe_exit(code)}"
        if child.name == "web" and entry.starts == 1 and lived < STARTUP_SECONDS:
            return f"{what} on start-up (is port {self.port} in use?)"
        entry.crashes = 1 if lived >= HEALTHY_SECONDS else entry.crashes + 1
        if entry.crashes > MAX_RESTARTS:
            if child.name == "web":
                return f"{what}, {entry.crashes} times in a row"
            entry.gave_up = True
            self.say(f"{what}, {entry.crashes} times in a row; left stopped (see its output).")
            return None
        delay = min(BACKOFF_FIRST_SECONDS * 2 ** (entry.crashes - 1), BACKOFF_MAX_SECONDS)
        entry.restart_at = now + delay
        self.say(f"{what}; restarting it in {delay:g}s.")
        return None

    def web_answers(self) -> bool:
        address = _reachable(self.host).strip("[]")
        with socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET) as sock:
            sock.settimeout(0.2)
            return sock.connect_ex((address, self.port)) == 0

    def say(self, message: str) -> None:
        self.stderr.write(f"serve: {message}")
        self.stderr.flush()

    # Stopping ---------------------------------------------------------------------------------

    def stop(self, signum: int) -> None:
        """Send `signum` to the children, wait for them, and kill those that outstay the grace."""
        alive = [e.process for e in self.supervised if e.process and e.process.poll() is None]
        for entry in self.supervised:
            entry.restart_at = None
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

    # The banner -------------------------------------------------------------------------------

    def announce(self) -> None:
        base = f"http://{_reachable(self.host)}:{self.port}"
        api = f"{base}{settings.API_URL_PREFIX}"
        urls = {
            "admin": f"{base}/admin/",
            "API": api,
            "API docs": f"{api}docs/",
            "health": f"{api}health/",
        }
        if any(e.child.name == "frontend" for e in self.supervised):
            urls["frontend"] = f"http://{_reachable(self.host)}:{self.frontend_port}/"
        lines = [f"  {name:<10}{url}" for name, url in urls.items()]
        passwords = demo_passwords(Path(getattr(settings, "VAR_DIR", "var")))
        for n, (user, password) in enumerate(passwords):
            lines.append(f"  {'log in as' if n == 0 else '':<10}{user:<9} {password}")
        mail = getattr(settings, "EMAIL_FILE_PATH", None)
        if mail and settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
            lines.append(f"  {'e-mails':<10}{mail}/ (one file per message)")
        if self.quiet:
            lines.append(
                f"  {'logs':<10}warnings only; LOG_LEVEL=INFO make run shows requests and tasks "
                f"({self.log_dir}/ has the web server's and frontend's output)"
            )
        pids = ", ".join(
            f"{e.child.name} (pid {e.process.pid})" for e in self.supervised if e.process
        )
        self.stdout.write("\n".join(["", "The CMS is running; Ctrl-C stops everything.", *lines]))
        self.stdout.write(f"Started {pids}.")
        self.stdout.flush()


DEMO_PASSWORDS_FILE = "demo-passwords.txt"


def demo_passwords(var_dir: Path) -> list[tuple[str, str]]:
    """Return the demo users' passwords that `dev_setup` wrote down (username, password)."""
    try:
        text = (var_dir / DEMO_PASSWORDS_FILE).read_text()
    except OSError:
        return []
    pairs = (line.split(" ", 1) for line in text.splitlines() if " " in line)
    return [(user, password.strip()) for user, password in pairs]


def describe_exit(code: int) -> str:
    if code < 0:
        return f"was killed by {signal.Signals(-code).name}"
    return f"exited with code {code}"


def start(child: Child, *, env=None, stdout=None, stderr=None) -> subprocess.Popen:
    # A session of its own: Ctrl-C in the terminal reaches only `serve`, which forwards it once,
    # and a signal to the child's process group also reaches anything the child started.
    return subprocess.Popen(  # noqa: S603
        child.argv, start_new_session=True, env=env, stdout=stdout, stderr=stderr
    )


def send(process: subprocess.Popen, signum: int) -> None:
    """Signal the child's process group, ignoring a group that has already gone."""
    # macOS answers EPERM instead of ESRCH for a group whose leader is a zombie.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)

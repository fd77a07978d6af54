"""Run the background worker: queued tasks, plus a beat for scheduled publishing and the sweeper.

Tasks (webhook deliveries, Wagtail's search and reference index updates, ...) come from the
django-tasks database queue and run in django-tasks-db's own worker loop. Next to it a beat
thread runs, every few seconds, Wagtail's scheduled publishing (`pipeline.scheduling`) and the
webhook sweeper, which queues again what a killed worker or a lost task left behind.

Several workers may run at once; the beat is safe to run in each. With another task backend
(`TASKS_BACKEND`, e.g. RQ or Celery) its own workers run the tasks and this command runs the
beat only.
"""

from __future__ import annotations

import logging
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection, connections
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction
from wagtail import hooks

from pipeline.scheduling import BEAT_JOB_HOOK, scheduled_publishing_run
from pipeline.webhooks.sweeper import deliveries_sweep

logger = logging.getLogger("pipeline.worker")
WORKER_CONN_MAX_AGE = 300


def beat_once() -> None:
    """Run each periodic job once (with those registered by the `register_beat_job` hook);
    one job failing does not stop the others."""
    for name, job in (
        ("scheduled publishing", scheduled_publishing_run),
        *((job.__name__, job) for job in hooks.get_hooks(BEAT_JOB_HOOK)),
        ("webhook sweeper", deliveries_sweep),
    ):
        try:
            job()
        except Exception:
            logger.exception("The %s failed; it runs again at the next beat.", name)


class Beat(threading.Thread):
    """Run `beat_once` every `interval` seconds until stopped."""

    def __init__(self, interval: float):
        super().__init__(name="beat", daemon=True)
        self.interval = interval
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                close_old_connections()
                beat_once()
                self.stopping.wait(self.interval)
        finally:
            connection.close()

    def stop(self, timeout: float = 30) -> None:
        """Let the current run finish (each publish is its own transaction), then end."""
        self.stopping.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout)


class PipelineWorker(Worker):
    """django-tasks-db's worker, stopping the beat first on SIGINT/SIGTERM."""

    def __init__(self, *, beat: Beat | None, **kwargs):
        super().__init__(**kwargs)
        self.beat = beat

    def shutdown(self, signum, frame) -> None:
        if self.beat is not None:
            self.beat.stopping.set()
        super().shutdown(signum, frame)

    def drain(self) -> int:
        """Run every task that is ready, then return how many ran (batch mode).

        The same claim and run as `run()`, without its connection housekeeping: a one-shot run
        needs none, and this way it also works inside a test's transaction on PostgreSQL.
        """
        count = 0
        while True:
            tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
            with exclusive_transaction(tasks.db):
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
            if task_result is None:
                return count
            self.run_task(task_result)
            count += 1


class Command(BaseCommand):
    help = (
        "Run the background worker: every task queue, plus a beat running scheduled publishing "
        "and the webhook sweeper. Stops cleanly on SIGINT/SIGTERM."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds to wait when the queue is empty before looking again (default 1).",
        )
        parser.add_argument(
            "--beat-interval",
            type=float,
            default=None,
            help="Seconds between beats (default: the WORKER_BEAT_SECONDS setting).",
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help=(
                "Run one beat, then every task queued and due, then exit (for cron, or to drain "
                "the queue in tests)."
            ),
        )
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--beat-only",
            action="store_true",
            help="Run the beat only (another task backend's workers run the tasks).",
        )
        group.add_argument(
            "--no-beat",
            action="store_true",
            help="Run tasks only (another process runs the beat).",
        )
        parser.add_argument(
            "--worker-id",
            default=None,
            help="A name unique among the workers (default: a random one).",
        )

    def handle(self, *, interval, beat_interval, batch, beat_only, no_beat, worker_id, **options):
        if interval < 0 or (beat_interval is not None and beat_interval <= 0):
            raise CommandError("--interval must be 0 or more and --beat-interval more than 0.")
        self.configure_logging(options["verbosity"])
        self.keep_connections()
        beat_interval = beat_interval or settings.WORKER_BEAT_SECONDS
        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        if not isinstance(backend, DatabaseBackend) and not no_beat:
            if not beat_only:
                logger.info(
                    "The task backend is %s: its own workers run the tasks; "
                    "this process runs the beat only.",
                    type(backend).__name__,
                )
            beat_only = True
        elif not isinstance(backend, DatabaseBackend):
            raise CommandError(
                f"The task backend is {type(backend).__name__}: run its own worker for tasks."
            )

        if batch:
            if not no_beat:
                beat_once()
            if not beat_only:
                self.worker(beat=None, interval=0, batch=True, worker_id=worker_id).drain()
            return

        beat = None if no_beat else Beat(beat_interval)
        if beat_only:
            self.run_beat_only(beat)
            return
        worker = self.worker(beat=beat, interval=interval, batch=False, worker_id=worker_id)
        worker.configure_signals()
        if beat is not None:
            beat.start()
        try:
            worker.run()
        finally:
            if beat is not None:
                beat.stop()
            logger.info("Worker stopped.")

    def worker(self, *, beat, interval, batch, worker_id) -> PipelineWorker:
        return PipelineWorker(
            beat=beat,
            queue_names=["*"],
            interval=interval,
            batch=batch,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=not batch,
            max_tasks=None,
            worker_id=worker_id or get_random_string(32),
            excluded_queue_names=[],
        )

    def run_beat_only(self, beat: Beat) -> None:
        """Run the beat in the foreground until SIGINT/SIGTERM."""

        def stop(signum, frame):
            logger.info("Received %s - stopping the beat.", signal.strsignal(signum))
            beat.stopping.set()

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        beat.run()

    def keep_connections(self) -> None:
        """Reuse database connections between tasks and polls.

        The worker loop closes connections older than CONN_MAX_AGE after every task and poll;
        with the web's default of 0 that is a new PostgreSQL backend several times a second.
        Health checks drop a connection that broke meanwhile.
        """
        for alias in connections:
            params = connections[alias].settings_dict
            if not params.get("CONN_MAX_AGE"):
                params["CONN_MAX_AGE"] = WORKER_CONN_MAX_AGE
                params["CONN_HEALTH_CHECKS"] = True

    def configure_logging(self, verbosity: int) -> None:
        level = {0: logging.CRITICAL, 1: logging.INFO}.get(verbosity, logging.DEBUG)
        for name in ("django_tasks", "django_tasks_db", "pipeline"):
            logging.getLogger(name).setLevel(level)

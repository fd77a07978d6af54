"""Enqueue the periodic tasks every WORKER_BEAT_SECONDS (see pipeline.periodic).

The workers (`db_worker`, `rqworker`) run them; this process only says when. Stops cleanly on
SIGINT/SIGTERM.
"""

from __future__ import annotations

import logging
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection

from pipeline.periodic import PERIODIC, beat_tick

logger = logging.getLogger("pipeline.periodic")


class Command(BaseCommand):
    help = (
        "Enqueue the periodic tasks (scheduled publishing, the webhook sweeper, housekeeping) "
        "every WORKER_BEAT_SECONDS for the task workers to run. Safe to run more than one."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help="Seconds between beats (default: the WORKER_BEAT_SECONDS setting).",
        )
        parser.add_argument(
            "--once", action="store_true", help="Enqueue what is due once, then exit (for cron)."
        )

    def handle(self, *, interval, once, verbosity, **options):
        interval = settings.WORKER_BEAT_SECONDS if interval is None else interval
        if interval <= 0:
            raise CommandError("--interval must be more than 0 seconds.")
        if once:
            queued = beat_tick()
            if verbosity >= 1:
                self.stdout.write(f"Enqueued: {', '.join(queued) or 'nothing due'}.")
            return
        stopping = threading.Event()

        def stop(signum, frame):
            logger.info("Received %s - stopping the beat.", signal.strsignal(signum))
            stopping.set()

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        if verbosity >= 1:
            names = ", ".join(periodic.name for periodic in PERIODIC)
            self.stdout.write(f"Beat every {interval:g} s: {names}.")
            self.stdout.flush()
        try:
            while not stopping.is_set():
                close_old_connections()
                beat_tick()
                stopping.wait(interval)
        finally:
            connection.close()

"""Periodic work as tasks, and the beat that enqueues them (`manage.py beat`).

Scheduled publishing, the webhook sweeper and housekeeping (change pruning, finished task
results) run as ordinary tasks in the queue's own workers (`db_worker`, `rqworker`). The gap
the beat fills: neither django-tasks nor its database backend has a periodic scheduler, and
RQ's (rq-scheduler, rq's cron) would cover only one of the two backends. So one small beat, the
same for both: every WORKER_BEAT_SECONDS it enqueues each periodic task that is due.

Several beats may run (one per worker host): a task is enqueued at most once per period, under
an atomic lock in the shared cache (`cache.add`, SET NX on Redis), and not at all while its
previous run still waits in the queue or runs, so a stopped worker fleet does not come back to
a pile of sweeps. Each periodic task is safe to run twice at once anyway (row locks, skip
locked), so a lock that expires early costs a duplicate run, never a double publish.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks.base import Task
from django_tasks.exceptions import TaskResultDoesNotExist
from django_tasks_db import DatabaseBackend
from wagtail import hooks

from .changes import changes_prune
from .scheduling import BEAT_JOB_HOOK, scheduled_publishing_run
from .webhooks.sweeper import deliveries_sweep

logger = logging.getLogger(__name__)
LOCK_PREFIX = "beat"
# A run queued longer ago than this is taken as lost (its worker was killed): queue another.
LOST_AFTER = timedelta(minutes=5)
# Finished task results of the database backend are deleted after this many days.
TASK_RESULTS_DAYS = 1


@task()
def scheduled_publishing_task() -> dict[str, int]:
    """Publish and expire what Wagtail's scheduling made due (`pipeline.scheduling`), then run
    the jobs apps above the pipeline register for the beat (e.g. releases going live)."""
    run = scheduled_publishing_run()
    for job in hooks.get_hooks(BEAT_JOB_HOOK):
        try:
            job()
        except Exception:
            logger.exception("The beat job %s failed; it runs again at the next beat.", job)
    return {"published": len(run.published), "expired": len(run.expired), "failed": len(run.failed)}


@task()
def webhooks_sweep_task() -> int:
    """Queue again the webhook deliveries nothing would run otherwise."""
    return deliveries_sweep()


@task()
def housekeeping_task() -> int:
    """Prune the change log past its retention, and the database queue's finished results."""
    deleted = changes_prune().deleted
    if isinstance(housekeeping_task.get_backend(), DatabaseBackend):
        call_command(
            "prune_db_task_results", queue_name="*", min_age_days=TASK_RESULTS_DAYS, verbosity=0
        )
    return deleted


@dataclass(frozen=True)
class Periodic:
    """A task the beat enqueues every `every()` seconds (read from settings at each beat)."""

    name: str
    task: Task
    every: Callable[[], float]


def _beat_seconds() -> float:
    return settings.WORKER_BEAT_SECONDS


PERIODIC: tuple[Periodic, ...] = (
    Periodic("scheduled-publishing", scheduled_publishing_task, _beat_seconds),
    Periodic("webhook-sweeper", webhooks_sweep_task, _beat_seconds),
    Periodic("housekeeping", housekeeping_task, lambda: settings.CHANGES_PRUNE_SECONDS),
)


def beat_tick(*, now: datetime | None = None) -> list[str]:
    """Enqueue each periodic task that is due and not still waiting; return their names."""
    now = now or timezone.now()
    queued = []
    for periodic in PERIODIC:
        try:
            if _enqueue_if_due(periodic, now):
                queued.append(periodic.name)
        except Exception:
            logger.exception("The beat could not enqueue %s; it tries again.", periodic.name)
    return queued


def _enqueue_if_due(periodic: Periodic, now: datetime) -> bool:
    period = max(1, math.ceil(periodic.every()))
    if not cache.add(f"{LOCK_PREFIX}:{periodic.name}:due", now.isoformat(), timeout=period):
        return False  # this beat or another one queued it within the period
    last_key = f"{LOCK_PREFIX}:{periodic.name}:last"
    if _still_waiting(periodic.task, cache.get(last_key), now):
        return False
    result = periodic.task.enqueue()
    cache.set(last_key, result.id, timeout=None)
    return True


def _still_waiting(periodic_task: Task, result_id: str | None, now: datetime) -> bool:
    """Whether the last run queued is still waiting or running (and not lost)."""
    if not result_id:
        return False
    try:
        result = periodic_task.get_result(result_id)
    except (TaskResultDoesNotExist, ValueError):
        return False
    if result.status not in (TaskResultStatus.READY, TaskResultStatus.RUNNING):
        return False
    since = result.last_attempted_at or result.enqueued_at
    return since is None or since > now - LOST_AFTER

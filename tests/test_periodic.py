"""The beat enqueues the periodic tasks for the workers: once per period however many beats run,
never while the previous run still waits, and again once that run is lost."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from pipeline.periodic import LOCK_PREFIX, LOST_AFTER, PERIODIC, beat_tick

from .task_queue import drain

NAMES = [periodic.name for periodic in PERIODIC]


def queued_paths() -> list[str]:
    return sorted(DBTaskResult.objects.filter(status="READY").values_list("task_path", flat=True))


def new_period() -> None:
    cache.delete_many([f"{LOCK_PREFIX}:{name}:due" for name in NAMES])


def test_a_beat_enqueues_each_periodic_task_for_the_workers(db):
    assert beat_tick() == NAMES

    assert queued_paths() == sorted(p.task.module_path for p in PERIODIC)
    assert drain() == 3
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


def test_a_second_beat_in_the_same_period_enqueues_nothing(db):
    beat_tick()

    assert beat_tick() == []  # another beat process shares the lock through the cache
    assert len(queued_paths()) == 3


def test_a_run_still_waiting_is_not_queued_again_and_a_finished_one_is(db):
    beat_tick()
    new_period()

    assert beat_tick() == []  # the workers are behind: no pile of sweeps
    drain()
    new_period()
    assert beat_tick() == NAMES


def test_a_run_lost_with_its_worker_is_queued_again(db):
    beat_tick()
    DBTaskResult.objects.update(status="RUNNING", started_at=timezone.now())
    new_period()
    assert beat_tick() == []

    later = timezone.now() + LOST_AFTER + timedelta(seconds=1)
    new_period()
    assert beat_tick(now=later) == NAMES


def test_the_beat_command_once_says_what_it_enqueued(db, capsys):
    call_command("beat", once=True)

    assert capsys.readouterr().out.strip() == f"Enqueued: {', '.join(NAMES)}."


@pytest.mark.parametrize("interval", ["0", "-1"])
def test_the_beat_command_refuses_a_bad_interval(interval):
    with pytest.raises(CommandError, match="--interval must be more than 0"):
        call_command("beat", interval=float(interval))

"""Run queued tasks inside the test, on the database backend: the worker's own claim and run.

django-tasks-db's `db_worker --batch` closes the database connection between tasks (its
connection housekeeping), which would end a test's wrapping transaction on PostgreSQL; this
claims and runs each ready task exactly as its worker does, without that housekeeping.
"""

from django.core.cache import cache
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from pipeline.periodic import LOCK_PREFIX, PERIODIC, beat_tick


def drain() -> int:
    """Run every task that is ready (those they enqueue too); return how many ran."""
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        startup_delay=False,
        max_tasks=None,
        worker_id="test-drain",
        excluded_queue_names=[],
    )
    count = 0
    while True:
        tasks = DBTaskResult.objects.ready().filter(backend_name=DEFAULT_TASK_BACKEND_ALIAS)
        with exclusive_transaction(tasks.db):
            task_result = tasks.get_locked()
            if task_result is not None:
                task_result.claim(worker.worker_id)
        if task_result is None:
            return count
        worker.run_task(task_result)
        count += 1


def beat() -> int:
    """One beat (`manage.py beat --once`: enqueue the periodic tasks), then run the queue.

    Each call is a new period: the locks that keep beats from enqueueing twice are lifted.
    """
    cache.delete_many([f"{LOCK_PREFIX}:{periodic.name}:due" for periodic in PERIODIC])
    beat_tick()
    return drain()

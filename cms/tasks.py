"""The RQ task backend (TASKS_BACKEND=rq): django-tasks-rq, told about a task only once its
transaction has committed.

The gap it fills: django-tasks-rq pushes a job to Redis the moment `enqueue()` is called, so a
task enqueued inside a transaction (Wagtail enqueues its reference-index update from
`post_save`, inside the admin's request transaction) can run in a worker before the rows it
reads are committed, or after they were rolled back. The database backend writes its task in
the same transaction, so it has no such gap. Here a task enqueued inside `transaction.atomic`
is pushed on commit and dropped on rollback; outside a transaction it is pushed at once.
The library also enqueues TASK_MAX_PRIORITY tasks at the front of the queue but does not say
it supports priorities, so setting one raised; this backend says so.
"""

from __future__ import annotations

from functools import partial

import django_rq
from django.db import transaction
from django_tasks.base import TASK_MAX_PRIORITY, TaskResult, TaskResultStatus
from django_tasks.signals import task_enqueued
from django_tasks.utils import get_random_id
from django_tasks_rq import RQBackend as LibraryRQBackend
from django_tasks_rq.backend import Job, failed_callback, success_callback
from rq.job import Callback, JobStatus


class RQBackend(LibraryRQBackend):
    """django-tasks-rq's backend, pushing jobs when the surrounding transaction commits.

    Priority as the library implements it: TASK_MAX_PRIORITY goes to the front of the queue
    (cache purges must not wait behind a backlog of index updates), any other is FIFO.
    """

    supports_priority = True

    def enqueue(self, task, args, kwargs) -> TaskResult:
        self.validate_task(task)
        result = TaskResult(
            task=task,
            id=get_random_id(),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        push = partial(self._push, result)
        if transaction.get_connection().in_atomic_block:
            transaction.on_commit(push, robust=True)
        else:
            push()
        return result

    def _push(self, result: TaskResult) -> None:
        """Create the RQ job for `result` (the library's own enqueue, after the commit)."""
        task = result.task
        queue = django_rq.get_queue(task.queue_name, job_class=Job)
        job = queue.create_job(
            task.module_path,
            args=result.args,
            kwargs=result.kwargs,
            job_id=result.id,
            status=JobStatus.SCHEDULED if task.run_after else JobStatus.QUEUED,
            on_failure=Callback(failed_callback),
            on_success=Callback(success_callback),
            meta={"backend_name": self.alias},
        )
        if task.run_after is None:
            job = queue.enqueue_job(job, at_front=task.priority == TASK_MAX_PRIORITY)
        else:
            job = queue.schedule_job(job, task.run_after)
        object.__setattr__(result, "enqueued_at", job.enqueued_at)
        task_enqueued.send(type(self), task_result=result)

"""Scheduled publishing: Wagtail's `go_live_at` / `expire_at`, run by the worker's beat.

The same work as Wagtail's `publish_scheduled` command, but each publish and each expiry is its
own transaction: one that fails is logged and rolled back alone, the others still happen, and
each goes through Wagtail's publish/unpublish actions and signals, so it gets its version, feed
entry and webhooks like a manual publish. Row locks (skipped when taken) and a re-check inside
each transaction let several workers run the beat at once without publishing anything twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from wagtail.models import DraftStateMixin, Page, Revision

logger = logging.getLogger(__name__)

# Apps above the pipeline add periodic jobs to the worker's beat with this Wagtail hook (a
# function taking no arguments), e.g. releases' go-live publishing.
BEAT_JOB_HOOK = "register_beat_job"


@dataclass
class ScheduledRun:
    """What one run did: objects expired, revisions published, and those that failed."""

    expired: list[str] = field(default_factory=list)
    published: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def scheduled_publishing_run(*, now=None) -> ScheduledRun:
    """Unpublish what has expired, then publish the revisions whose go-live time has passed."""
    now = now or timezone.now()
    run = ScheduledRun()
    for model in _scheduled_models():
        due = model.objects.filter(live=True, expire_at__lt=now).order_by("expire_at")
        for pk in list(due.values_list("pk", flat=True)):
            _attempt(run.expired, run.failed, f"{model._meta.label} {pk}", _expire, model, pk, now)
    due = Revision.objects.filter(approved_go_live_at__lt=now).order_by("approved_go_live_at")
    for pk in list(due.values_list("pk", flat=True)):
        _attempt(run.published, run.failed, f"revision {pk}", _go_live, pk, now)
    return run


def _attempt(done: list[str], failed: list[str], label: str, action, *args) -> None:
    try:
        with transaction.atomic():
            if action(*args):
                done.append(label)
    except Exception:
        logger.exception("Scheduled publishing of %s failed; the others go on.", label)
        failed.append(label)


def _expire(model, pk, now) -> bool:
    obj = (
        model.objects.select_for_update(skip_locked=True)
        .filter(pk=pk, live=True, expire_at__lt=now)
        .first()
    )
    if obj is None:
        return False  # another worker has it, or it changed meanwhile
    obj.unpublish(set_expired=True, log_action="wagtail.unpublish.scheduled")
    return True


def _go_live(pk, now) -> bool:
    revision = (
        Revision.objects.select_for_update(skip_locked=True)
        .filter(pk=pk, approved_go_live_at__lt=now)
        .first()
    )
    if revision is None:
        return False
    # The go-live time has passed, so publishing the revision makes the object live.
    revision.publish(log_action="wagtail.publish.scheduled")
    return True


def _scheduled_models() -> list[type]:
    """Page and every other model with draft state (e.g. snippets), as Wagtail's command."""
    return [Page] + [
        model
        for model in apps.get_models()
        if issubclass(model, DraftStateMixin) and not issubclass(model, Page)
    ]

"""The go-live time: the worker's beat publishes scheduled releases that are due.

A release that cannot go live at its time (stale, or publishing failed) is marked failed, so
reviewers see why, instead of being retried at every beat. Several workers may run this at
once: `release_publish` locks the release and re-checks its state.
"""

from __future__ import annotations

import logging

from django.utils import timezone

from .models import Release
from .services import ReleaseFailed, ReleaseRefused, ReleaseStale, release_fail, release_publish

logger = logging.getLogger(__name__)


def releases_publish_due(*, now=None) -> list[int]:
    """Publish every scheduled release whose go-live time has passed; return their ids."""
    now = now or timezone.now()
    due = Release.objects.filter(status=Release.Status.SCHEDULED, publish_at__lte=now)
    published = []
    for release in due.order_by("publish_at", "pk").select_related("scheduled_by"):
        try:
            release_publish(release=release, user=release.scheduled_by, scheduled=True)
        except ReleaseStale as stale:
            release_fail(release=release, reason=f"Not published at its go-live time: {stale}")
            logger.warning("Scheduled release %s is stale: %s", release.pk, stale)
        except ReleaseRefused:
            continue  # another worker published it, or someone unscheduled it meanwhile
        except ReleaseFailed:
            continue  # logged and marked failed by release_publish
        else:
            published.append(release.pk)
    return published

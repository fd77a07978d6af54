"""Which public base the stored documents were rendered for, and noticing when it changes.

Stored documents carry absolute media and document URLs (`API_PUBLIC_BASE_URL` + path,
documents.rendering.RenderContext.absolute): they are the exact bytes the API serves and the
ETags hash, so they are not rewritten on the way out. Instead the base they were rendered with
is recorded in the feed row (`FeedState.documents_base`): the first stored document records
it, a full `rebuild_documents` records the current one. When the setting moves away from it, a
system check (pipeline.W010, run by `migrate` and `check --database default`) says so, and
`rebuild_documents --if-base-changed` (run by `make run` and by the deploy steps) renders every
live document again.
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.db import DatabaseError

from .models import FeedState

UNRECORDED = "(not recorded)"  # documents stored before the base was recorded (migration 0006)


def current_base() -> str:
    return settings.API_PUBLIC_BASE_URL.rstrip("/")


def recorded_base() -> str:
    """Return the recorded base: "" before any document, UNRECORDED for older databases."""
    found = FeedState.objects.filter(pk=1).values_list("documents_base", flat=True).first()
    return found or ""


def base_changed() -> bool:
    """Tell whether stored documents may carry another base than the current one."""
    recorded = recorded_base()
    return bool(recorded) and recorded != current_base()


def base_record() -> None:
    """Record the current base for every stored document (after a full rebuild)."""
    updated = FeedState.objects.filter(pk=1).update(documents_base=current_base())
    if not updated:
        FeedState.objects.get_or_create(pk=1, defaults={"documents_base": current_base()})


@checks.register(checks.Tags.database)
def check_documents_base(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    """Warn when the stored documents were rendered for another public base.

    A database check: `migrate` runs it (so a deploy shows it), as does `check --database
    default`; a plain `check` does not read the database.
    """
    if not databases or "default" not in databases:
        return []
    try:
        recorded = recorded_base()
    except DatabaseError:  # not migrated yet, or no database: nothing stored to compare
        return []
    if not recorded or recorded == current_base():
        return []
    was = "for an unrecorded base" if recorded == UNRECORDED else f"for {recorded}"
    return [
        checks.Warning(
            f"Stored API documents were rendered {was}; the public base "
            f"(API_PUBLIC_BASE_URL) is now {current_base()}, so their media URLs point at the "
            "old one.",
            hint="Run `manage.py rebuild_documents --if-base-changed` (make run does).",
            id="pipeline.W010",
        )
    ]

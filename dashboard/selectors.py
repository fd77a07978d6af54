"""What the editors' dashboard lists, each read in a fixed number of queries (none per row).

Pages are read as base `Page` rows (their admin title is the draft title), never `.specific`,
which would cost a query per page type.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from wagtail.models import Page, PageLogEntry, TaskState, WorkflowState
from wagtail.permission_policies.pages import PagePermissionPolicy

from releases.models import Release

LIMIT = 8


@dataclass(frozen=True)
class Row:
    """One line of a list: what, where to open it, when, by whom, in which state."""

    title: str
    url: str
    at: datetime | None = None
    who: str = ""
    state: str = ""


@dataclass(frozen=True)
class Listing:
    rows: list[Row]
    more: bool  # there are more than shown


def _listing(rows: list[Row]) -> Listing:
    return Listing(rows=rows[:LIMIT], more=len(rows) > LIMIT)


def _username(user) -> str:
    return user.get_username() if user else "system"


def may_publish_pages(user) -> bool:
    """Reviewers publish; editors only submit."""
    return PagePermissionPolicy().user_has_permission(user, "publish")


def drafts_of(user) -> Listing:
    """Pages whose latest revision is the user's and is not live yet, newest first."""
    pages = list(
        Page.objects.filter(has_unpublished_changes=True, latest_revision__user=user)
        .only("pk", "title", "draft_title", "live", "latest_revision_created_at", "depth")
        .order_by("-latest_revision_created_at", "-pk")[: LIMIT + 1]
    )
    in_review = set(
        WorkflowState.objects.active()
        .filter(
            base_content_type=ContentType.objects.get_for_model(Page),
            object_id__in=[str(page.pk) for page in pages],
        )
        .values_list("object_id", flat=True)
    )
    return _listing(
        [
            Row(
                title=page.get_admin_display_title(),
                url=reverse("wagtailadmin_pages:edit", args=[page.pk]),
                at=page.latest_revision_created_at,
                state="in review"
                if str(page.pk) in in_review
                else ("draft of a live page" if page.live else "never published"),
            )
            for page in pages
        ]
    )


def _titles(page_ids) -> dict[int, str]:
    pages = Page.objects.filter(pk__in=page_ids).only("pk", "title", "draft_title", "depth")
    return {page.pk: page.get_admin_display_title() for page in pages}


def submitted_by(user) -> Listing:
    """The user's pages in review: what they submitted and who has it now."""
    states = list(
        WorkflowState.objects.active()
        .filter(requested_by=user, base_content_type=ContentType.objects.get_for_model(Page))
        .select_related("current_task_state__task")
        .order_by("-current_task_state__started_at", "-pk")[: LIMIT + 1]
    )
    titles = _titles(int(state.object_id) for state in states)
    return _listing(
        [
            Row(
                title=titles.get(int(state.object_id), f"Page {state.object_id}"),
                url=reverse("wagtailadmin_pages:edit", args=[int(state.object_id)]),
                at=state.current_task_state.started_at if state.current_task_state else None,
                state=(
                    f"{state.current_task_state.task.name}: "
                    f"{state.current_task_state.get_status_display().lower()}"
                    if state.current_task_state
                    else state.get_status_display().lower()
                ),
            )
            for state in states
        ]
    )


def awaiting_review_by(user) -> Listing:
    """Pages waiting for this reviewer, oldest request first (the one waiting longest)."""
    states = list(
        TaskState.objects.reviewable_by(user)
        .filter(workflow_state__base_content_type=ContentType.objects.get_for_model(Page))
        .select_related("workflow_state__requested_by", "task")
        .order_by("started_at", "pk")[: LIMIT + 1]
    )
    titles = _titles(int(state.workflow_state.object_id) for state in states)
    return _listing(
        [
            Row(
                title=titles.get(int(s.workflow_state.object_id), "A page"),
                url=reverse("wagtailadmin_pages:edit", args=[int(s.workflow_state.object_id)]),
                at=s.started_at,
                who=_username(s.workflow_state.requested_by),
                state=s.task.name,
            )
            for s in states
        ]
    )


def recent_publishes() -> Listing:
    """The last pages published, by anyone (the audit log keeps the title even if deleted)."""
    entries = list(
        PageLogEntry.objects.filter(action="wagtail.publish")
        .select_related("user")
        .order_by("-timestamp", "-pk")[: LIMIT + 1]
    )
    return _listing(
        [
            Row(
                title=entry.label,
                url=reverse("wagtailadmin_pages:edit", args=[entry.page_id]),
                at=entry.timestamp,
                who=_username(entry.user),
            )
            for entry in entries
        ]
    )


def may_see_releases(user) -> bool:
    return user.has_perm("releases.change_release") or user.has_perm("releases.publish_release")


def unfinished_releases() -> Listing:
    """Releases being built, in review, approved, scheduled or failed."""
    releases = list(
        Release.objects.unfinished().select_related("owner").order_by("-pk")[: LIMIT + 1]
    )
    return _listing(
        [
            Row(
                title=release.title,
                url=reverse("releases_screen", args=[release.pk]),
                at=release.publish_at,
                who=_username(release.owner) if release.owner_id else "",
                state=release.get_status_display().lower(),
            )
            for release in releases
        ]
    )

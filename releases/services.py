"""Writes: building a release, following its review, scheduling it and publishing it at once.

Plain functions that the admin views, the workflow receivers, the worker and the tests all call.
Each refuses what the release's state does not allow with `ReleaseRefused`, whose message says
why and what to do; `release_publish` raises `ReleaseFailed` when publishing went wrong (and
left nothing behind).
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.actions.unpublish_page import UnpublishPageAction
from wagtail.models import Page

from pipeline.changes import feed_release
from pipeline.models import Change
from pipeline.webhooks.outbox import release_deliveries_create

from .models import Release, ReleaseItem
from .selectors import item_conflicts

logger = logging.getLogger(__name__)

PUBLISH_PERMISSION = "releases.publish_release"
Status = Release.Status
Action = ReleaseItem.Action


class ReleaseRefused(Exception):
    """The release cannot do this in its current state; the message says why."""


class ReleaseStale(ReleaseRefused):
    """Some items conflict with what happened to their pages since they were pinned."""


class ReleaseFailed(Exception):
    """Publishing failed and was rolled back entirely; the release is marked failed."""


def may_publish(user) -> bool:
    """Return whether the user may publish or schedule releases (Reviewers may)."""
    return user is not None and user.is_active and user.has_perm(PUBLISH_PERMISSION)


def _require_publisher(user) -> None:
    if user is not None and not may_publish(user):
        raise PermissionDenied("Only reviewers may publish or schedule a release.")


def _locked(release: Release) -> Release:
    return Release.objects.select_for_update().get(pk=release.pk)


def _require_editable(release: Release) -> None:
    if release.status == Status.IN_REVIEW:
        raise ReleaseRefused(
            f"'{release}' is in review: its items cannot change until the review ends "
            "(approved, changes requested, or cancelled)."
        )
    if release.status not in Release.EDITABLE:
        raise ReleaseRefused(f"'{release}' is {release.get_status_display().lower()}.")


def _reopen(release: Release) -> None:
    """Drop the approval (and the schedule) of a release whose content changed."""
    if release.status in (Status.APPROVED, Status.SCHEDULED, Status.FAILED):
        _set_unapproved(release, Status.OPEN)


def _set_unapproved(release: Release, status: str) -> None:
    """Give the release this status, without its approval and schedule."""
    release.status = status
    release.approved_at = release.approved_by = None
    release.publish_at = release.scheduled_by = None
    release.save(
        update_fields=["status", "approved_at", "approved_by", "publish_at", "scheduled_by"]
    )


# Building -----------------------------------------------------------------------------------


@transaction.atomic
def release_create(*, title: str, owner=None, notes: str = "") -> Release:
    """Create an open release (the admin's create view does the same through Wagtail)."""
    release = Release(title=title, notes=notes, owner=owner)
    release.save()
    release.save_revision(user=owner, log_action=True)
    return release


@transaction.atomic
def release_item_add(
    *, release: Release, page: Page, user=None, action: str = Action.PUBLISH
) -> ReleaseItem:
    """Add a page to a release: its current draft pinned, or an unpublish."""
    release = _locked(release)
    _require_editable(release)
    page = Page.objects.select_for_update().get(pk=page.pk)
    if page.is_root() or page.depth <= 1:
        raise ReleaseRefused("The tree's root cannot be in a release.")
    if action == Action.PUBLISH and page.latest_revision_id is None:
        raise ReleaseRefused(f"'{page.get_admin_display_title()}' has no draft to publish.")
    if action == Action.UNPUBLISH and not page.live:
        raise ReleaseRefused(f"'{page.get_admin_display_title()}' is not live.")
    other = ReleaseItem.objects.filter(page_id=page.pk, active=True).select_related("release")
    if (taken := other.first()) is not None:
        raise ReleaseRefused(
            f"'{page.get_admin_display_title()}' is already in the release "
            f"'{taken.release}': a page is in one unfinished release at a time."
        )
    try:
        with transaction.atomic():
            item = ReleaseItem.objects.create(
                release=release,
                page_id=page.pk,
                action=action,
                revision_id=page.latest_revision_id if action == Action.PUBLISH else None,
                pinned_by=_person(user),
            )
    except IntegrityError:  # another request added it meanwhile
        raise ReleaseRefused(
            f"'{page.get_admin_display_title()}' is already in an unfinished release."
        ) from None
    _reopen(release)
    return item


@transaction.atomic
def release_item_repin(*, item: ReleaseItem, user=None) -> ReleaseItem:
    """Pin the page's current draft (its latest revision) instead of the one pinned."""
    release = _locked(item.release)
    _require_editable(release)
    item = ReleaseItem.objects.select_for_update().get(pk=item.pk, release=release)
    page = Page.objects.filter(pk=item.page_id).first()
    if page is None:
        raise ReleaseRefused("The page was deleted: remove it from the release.")
    if item.action != Action.PUBLISH:
        raise ReleaseRefused("An unpublish pins no revision.")
    item.revision_id = page.latest_revision_id
    item.pinned_at = timezone.now()
    item.pinned_by = _person(user)
    item.confirmed_at = item.confirmed_by = item.confirmed_revision_id = None
    item.save()
    _reopen(release)
    return item


@transaction.atomic
def release_item_remove(*, item: ReleaseItem, user=None) -> None:
    """Take a page out of a release."""
    release = _locked(item.release)
    _require_editable(release)
    ReleaseItem.objects.filter(pk=item.pk, release=release).delete()
    _reopen(release)


@transaction.atomic
def release_item_confirm(*, item: ReleaseItem, user=None) -> ReleaseItem:
    """Accept an item's conflicts as they are now: publish the pinned revision anyway.

    Only what happened up to now is accepted; a later publish or draft makes it stale again.
    The release's content does not change, so an approval stands.
    """
    release = _locked(item.release)
    _require_editable(release)
    item = ReleaseItem.objects.select_for_update().get(pk=item.pk, release=release)
    page = Page.objects.filter(pk=item.page_id).first()
    if page is None:
        raise ReleaseRefused("The page was deleted: remove it from the release.")
    item.confirmed_at = timezone.now()
    item.confirmed_by = _person(user)
    item.confirmed_revision_id = page.latest_revision_id
    item.save(update_fields=["confirmed_at", "confirmed_by", "confirmed_revision_id"])
    return item


@transaction.atomic
def release_definition_changed(*, release: Release) -> None:
    """A new revision of the title or notes was saved: an approval no longer covers it."""
    _reopen(_locked(release))


# Review (called by the workflow receivers) ----------------------------------------------------


@transaction.atomic
def release_review_started(*, release: Release) -> None:
    release = _locked(release)
    if release.is_unfinished:
        _set_unapproved(release, Status.IN_REVIEW)


@transaction.atomic
def release_review_ended(*, release: Release) -> None:
    """Changes were requested, or the review was cancelled: the release is open again."""
    release = _locked(release)
    if release.status == Status.IN_REVIEW:
        release.status = Status.OPEN
        release.save(update_fields=["status"])


@transaction.atomic
def release_approved(*, release: Release, user=None) -> None:
    release = _locked(release)
    if release.status == Status.IN_REVIEW:
        release.status = Status.APPROVED
        release.approved_at = timezone.now()
        release.approved_by = _person(user)
        release.save(update_fields=["status", "approved_at", "approved_by"])


# Scheduling and cancelling ------------------------------------------------------------------


@transaction.atomic
def release_schedule(*, release: Release, at: datetime, user=None) -> Release:
    """Have the worker publish an approved release at `at` (reviewers only)."""
    _require_publisher(user)
    release = _locked(release)
    if release.status not in (Status.APPROVED, Status.SCHEDULED):
        raise ReleaseRefused(
            f"'{release}' is {release.get_status_display().lower()}: only an approved release "
            "can be scheduled."
        )
    if at <= timezone.now():
        raise ReleaseRefused("The go-live time must be in the future; to publish now, publish.")
    release.status = Status.SCHEDULED
    release.publish_at = at
    release.scheduled_by = _person(user)
    release.save(update_fields=["status", "publish_at", "scheduled_by"])
    return release


@transaction.atomic
def release_unschedule(*, release: Release, user=None) -> Release:
    _require_publisher(user)
    release = _locked(release)
    if release.status == Status.SCHEDULED:
        release.status = Status.APPROVED
        release.publish_at = release.scheduled_by = None
        release.save(update_fields=["status", "publish_at", "scheduled_by"])
    return release


@transaction.atomic
def release_cancel(*, release: Release, user=None) -> Release:
    """Give up a release: its pages are free for other releases; nothing is published."""
    release = _locked(release)
    if not release.is_unfinished:
        raise ReleaseRefused(f"'{release}' is {release.get_status_display().lower()}.")
    if (state := release.current_workflow_state) is not None:
        state.cancel(user=user)
    release.status = Status.CANCELLED
    release.publish_at = release.scheduled_by = None
    release.save(update_fields=["status", "publish_at", "scheduled_by"])
    release.items.update(active=False)
    return release


# Publishing ---------------------------------------------------------------------------------


def release_publish(*, release: Release, user=None, scheduled: bool = False) -> Release:
    """Publish every item of the release in one transaction, or none of them.

    `user` publishes (reviewers only); the worker passes the reviewer who scheduled it, with
    `scheduled`. A refusal (`ReleaseRefused`: not approved, stale) changes nothing. Any error
    while publishing rolls every item back, marks the release failed with the reason (in a
    transaction of its own) and raises `ReleaseFailed`. Call it outside a transaction, so the
    failure mark is not rolled back with the rest.
    """
    if not scheduled:
        _require_publisher(user)
    try:
        with transaction.atomic():
            return _publish(release.pk, user=user, scheduled=scheduled)
    except ReleaseRefused:
        raise
    except Exception as error:
        reason = failure_reason(error)
        logger.exception("Release %s failed to publish; nothing of it was published.", release.pk)
        release_fail(release=release, reason=reason)
        raise ReleaseFailed(reason) from error


def failure_reason(error: Exception) -> str:
    """Say what went wrong in words an editor can act on."""
    if isinstance(error, ValidationError):
        messages = [
            f"{name}: {' '.join(errors)}" if name != "__all__" else " ".join(errors)
            for name, errors in getattr(error, "message_dict", {"__all__": error.messages}).items()
        ]
        detail = "; ".join(messages)
    else:
        detail = str(error) or type(error).__name__
    page = getattr(error, "release_page", None)
    return f"{page}: {detail}" if page else detail


@transaction.atomic
def release_fail(*, release: Release, reason: str) -> None:
    Release.objects.filter(pk=release.pk, status__in=Release.UNFINISHED).update(
        status=Status.FAILED, failed_at=timezone.now(), failure_reason=reason[:2000]
    )


def _publish(release_id: int, *, user, scheduled: bool) -> Release:
    release = Release.objects.select_for_update().get(pk=release_id)
    if release.status not in Release.PUBLISHABLE:
        raise ReleaseRefused(
            f"'{release}' is {release.get_status_display().lower()}: only an approved or "
            "scheduled release (or one that failed) can be published."
        )
    items = list(release.items.filter(active=True).select_related("revision"))
    if not items:
        raise ReleaseRefused(f"'{release}' has no items.")
    # The page rows first, as a single publish locks them (its page, then the feed): a page
    # published on its own meanwhile waits here, or is seen as a conflict below.
    locked = Page.objects.select_for_update().filter(pk__in=[i.page_id for i in items])
    pages = {page.pk: page for page in locked.order_by("pk")}
    stale = [
        f"{_title(pages.get(item.page_id), item)}: {conflict}"
        for item in items
        for conflict in item_conflicts(item, pages.get(item.page_id))
    ]
    if stale:
        raise ReleaseStale(
            f"'{release}' is stale; re-pin or confirm these items first: " + " ".join(stale)
        )
    log_action = "wagtail.publish.scheduled" if scheduled else True
    # In the order they were added, parents before their children (a new section, its pages).
    items.sort(key=lambda item: (pages[item.page_id].depth, item.pk))
    with feed_release(release_id=release.pk):
        for item in items:
            _item_publish(item, pages[item.page_id], user=user, log_action=log_action)
        _check_outcome(items, pages)
    return _record(release, items, user=user)


def _item_publish(item: ReleaseItem, page: Page, *, user, log_action) -> None:
    """Publish (or unpublish) one item through Wagtail, so the pipeline records it as any
    publish does."""
    try:
        if item.action == Action.PUBLISH:
            item.revision.publish(user=user, log_action=log_action, skip_permission_checks=True)
        else:
            UnpublishPageAction(page.specific, user=user, log_action=log_action).execute(
                skip_permission_checks=True
            )
    except Exception as error:
        error.release_page = page.get_admin_display_title()
        raise


def _check_outcome(items: list[ReleaseItem], pages: dict[int, Page]) -> None:
    """Fail unless every page is now as the release says: live on its pinned revision, or not
    live (a draft with a go-live time of its own is only scheduled by Wagtail's publish)."""
    now = dict(
        Page.objects.filter(pk__in=pages).values_list("pk", "live_revision_id").filter(live=True)
    )
    for item in items:
        expected = item.revision_id if item.action == Action.PUBLISH else None
        if now.get(item.page_id) != expected:
            title = pages[item.page_id].get_admin_display_title()
            raise ReleaseFailed(
                f"{title}: it did not go live as pinned (its draft has a go-live time of its "
                "own: clear it)."
                if expected
                else f"{title}: it is still live."
            )


def _record(release: Release, items: list[ReleaseItem], *, user) -> Release:
    """Write down what the release published, make its definition live, tell subscribers."""
    changes = list(Change.objects.filter(release_id=release.pk).order_by("seq"))
    own: dict[int, Change] = {}
    for change in changes:
        if change.action in (Change.Action.PUBLISHED, Change.Action.UNPUBLISHED):
            own[change.page_id] = change  # the last one: after any re-render in the release
    for item in items:
        change = own.get(item.page_id)
        item.active = False
        if change is not None:
            item.page_type = change.type
            item.version = change.version
            item.audience = change.audiences[-1] if change.audiences else []
    ReleaseItem.objects.bulk_update(items, ["active", "page_type", "version", "audience"])
    now = timezone.now()
    if release.latest_revision_id is not None:
        # The release's definition goes live with it (Wagtail logs who published it).
        release.latest_revision.publish(user=user, skip_permission_checks=True)
    Release.objects.filter(pk=release.pk).update(
        status=Status.PUBLISHED,
        published_at=now,
        published_by=_person(user),
        first_seq=changes[0].seq if changes else None,
        last_seq=changes[-1].seq if changes else None,
        failure_reason="",
    )
    item_changes = [own[item.page_id] for item in items if item.page_id in own]
    release_deliveries_create(
        release_id=release.pk, title=release.title, at=now, changes=item_changes
    )
    return Release.objects.get(pk=release.pk)


def _title(page: Page | None, item: ReleaseItem) -> str:
    return f"'{page.get_admin_display_title()}'" if page else f"page {item.page_id}"


def _person(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None

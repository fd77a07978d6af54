"""Reads: a release's items with their pages, and the conflicts that make an item stale."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC

from wagtail.models import Page

from .models import Release, ReleaseItem


@dataclass
class ItemState:
    """An item with its page as it is now, and what stands between it and a clean publish."""

    item: ReleaseItem
    page: Page | None
    conflicts: list[str] = field(default_factory=list)

    @property
    def stale(self) -> bool:
        return bool(self.conflicts)

    @property
    def title(self) -> str:
        if self.page is None:
            return f"Deleted page {self.item.page_id}"
        return self.page.get_admin_display_title()


def item_conflicts(item: ReleaseItem, page: Page | None) -> list[str]:
    """Say why publishing this item now would not publish what was reviewed (empty: it would).

    Conflicts a person confirmed (`confirmed_at`, `confirmed_revision_id`) are accepted: only
    a publish or a draft after the confirmation makes the item stale again.
    """
    if page is None:
        return ["The page was deleted: remove it from the release."]
    conflicts = []
    since = max(item.pinned_at, item.confirmed_at or item.pinned_at)
    if page.last_published_at is not None and page.last_published_at > since:
        conflicts.append(
            f"Published on its own at {_when(page.last_published_at)}, after it was pinned."
        )
    if item.action == ReleaseItem.Action.PUBLISH:
        if item.revision_id is None:
            conflicts.append("The pinned revision was deleted: pin the current draft again.")
        elif page.latest_revision_id not in (item.revision_id, item.confirmed_revision_id):
            conflicts.append(
                f"The release pins revision {item.revision_id}; the latest draft is revision "
                f"{page.latest_revision_id}."
            )
    elif not page.live:
        conflicts.append("The page is no longer live, so there is nothing to unpublish.")
    return conflicts


def pages_by_id(page_ids: Iterable[int]) -> dict[int, Page]:
    """Return the pages (base class: what conflicts and listings need) by id, in one query."""
    return {page.pk: page for page in Page.objects.filter(pk__in=list(page_ids))}


def items_state(items: Sequence[ReleaseItem], pages: dict[int, Page] | None = None) -> list:
    """Return each item with its page and conflicts, loading the pages in one query."""
    pages = pages if pages is not None else pages_by_id(item.page_id for item in items)
    return [
        ItemState(item, pages.get(item.page_id), item_conflicts(item, pages.get(item.page_id)))
        for item in items
    ]


def release_items(release: Release) -> list[ItemState]:
    """Return the items of a release (with the pinned revisions) and their state, in order."""
    items = list(release.items.select_related("revision", "pinned_by", "confirmed_by"))
    states = items_state(items)
    if not release.is_unfinished:  # what it did is history; conflicts no longer apply
        for state in states:
            state.conflicts = []
    return states


def unfinished_release_of(page_id: int) -> ReleaseItem | None:
    """Return the item that puts the page in an unfinished release, if any."""
    return (
        ReleaseItem.objects.filter(page_id=page_id, active=True).select_related("release").first()
    )


def _when(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")

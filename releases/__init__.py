"""Releases: many page changes reviewed together, previewed as a whole site, published at once.

A release is a Wagtail snippet (`models.Release`) with the workflow mixins, so it goes through
the same "Review" workflow as pages, as one unit. Its items (`ReleaseItem`) each name a page and
what the release does to it: publish a pinned revision, or unpublish it.

Life of a release (`Release.Status`)::

    open ──submit──> in review ──approve──> approved ──schedule──> scheduled
     ^  <──reject / cancel review──┘           │  <──unschedule──┘    │
     │                                         └──publish now──┐ ┌── go-live time (worker)
     └── item or definition changed (approval dropped)         v v
                                                     published | failed ──retry──> published
    any unfinished release ──cancel──> cancelled

Design, and where each part lives:

- Building (`services`): editors add a page's current draft from the page's editor ("Add to
  release", a page header button) or from the release's screen, re-pin an item to the page's
  newer draft, remove items. A page is in at most one unfinished release: a partial unique
  index on `ReleaseItem(page_id) WHERE active`. Changing the items of an approved or scheduled
  release drops the approval. Items are frozen while the release is in review.
- Review: Wagtail's workflow on the release (the migration assigns the "Review" workflow to the
  Release content type). Approving the last task does not publish the release (see
  `workflows.workflow_finish`, Wagtail's WAGTAIL_FINISH_WORKFLOW_ACTION): reviewers publish or
  schedule it afterwards, which needs the `releases.publish_release` permission (Reviewers have
  it, Editors do not). Wagtail's own "Publish" of the snippet is switched off for releases
  (`viewsets.ReleasePermissionPolicy`); a release goes live only through `services`.
- Conflicts (`selectors.item_conflicts`): an item is stale when its page was published on its
  own after it was pinned, when the pinned revision is no longer the page's latest draft, or when
  its page or revision is gone. A stale release refuses to publish until the item is re-pinned
  or the conflict confirmed (confirming accepts the page as it is now, not a later change).
- Publishing (`services.release_publish`): one transaction. It locks the release, then the
  item pages (the order a single publish takes them: page row, then feed), then the feed
  (`pipeline.changes.feed_release`, which stamps every entry appended inside with the release
  id); publishes each pinned revision through Wagtail (so every page gets its versions, feed
  entries, embedders and webhooks from the one publish path, `pipeline.services`), checks each
  page went live as pinned, records the outcome and queues one `content.release.published`
  webhook. Any failure rolls every item back; the release is then marked failed with the
  reason in a transaction of its own. The feed row is locked from the first entry to the
  commit, so a release's entries are consecutive and become visible together; the purge of the
  frontend cache is batched per transaction (`pipeline.caches`), so it is sent once.
- Go-live time (`scheduling.releases_publish_due`): the worker's beat runs it (registered with
  the `register_beat_job` Wagtail hook that `run_worker` reads, since the pipeline sits below
  this app).
- Preview of the future site (`overlay`, `previews`): a release token, live (the admin's
  "Preview", PREVIEW_LIVE_TTL) or a share link (expiring within PREVIEW_SHARE_MAX_TTL,
  revocable, each use logged), makes the delivery API answer as if the release were published.
  The tokens live here, not in `preview/`, because they name a release (and `preview` sits
  below this app); they reuse its token hashing, TTL settings and durations. `overlay` renders
  each item's pinned revision with the delivery serializers in a `RenderContext` where the
  release's pages stand in for their live rows, and re-renders the live documents embedding
  them; `api` then reads {live documents} ∪ {release documents} for requests carrying a valid
  token (see `api.release_preview`), never caches them in shared caches, and answers them
  `private, no-store`, `noindex`, with `meta.preview` naming the release.
"""

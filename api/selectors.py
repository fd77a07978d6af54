"""Reads: documents, listings, versions and changes, always through `api.access`.

Documents, listings and resolve take an optional release overlay (a request with a valid
release token): they then answer from {release documents} ∪ {live documents}.
"""

import functools
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import Case, CharField, F, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, Concat, NullIf, Trim
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page, PageLogEntry, Site

from documents.audience import ANONYMOUS, Caller
from documents.paths import frontend_path, site_root_url_path
from documents.registry import models_of_type
from pipeline.models import Change, LiveDocument, PublishedVersion
from releases.models import Release, ReleaseItem
from releases.overlay import OverlayDocument, ReleaseOverlay

from .access import (
    overlay_document_visible,
    release_item_visible,
    version_visible,
    visible_changes,
    visible_documents,
    visible_pages,
)
from .params import MAX_INT


@dataclass
class Document:
    body: str
    etag: str
    published_at: datetime
    public: bool
    version_id: int


DOCUMENT_COLUMNS = (
    "version__body",
    "version__etag",
    "version__published_at",
    "is_public",
    "version_id",
)


def _documents(caller: Caller, page_id: int, page_type: str | None) -> QuerySet:
    queryset = visible_documents(caller).filter(page_id=page_id)
    if page_type is not None:
        queryset = queryset.filter(version__type=page_type)
    return queryset.values_list(*DOCUMENT_COLUMNS)


def document_get(
    *,
    caller: Caller,
    page_id: int,
    page_type: str | None = None,
    overlay: ReleaseOverlay | None = None,
) -> Document | None:
    """Return the live document of a page the caller may read, optionally of one type (or the
    document the release overlay gives it)."""
    if not 0 < page_id <= MAX_INT:
        return None  # no such page; the database driver would overflow on the lookup
    if overlay is not None and page_id in overlay.page_ids:
        return _overlay_document(caller, overlay.documents.get(page_id), page_type)
    if caller.authenticated:
        row = _documents(caller, page_id, page_type).first()
    else:
        row = _public_document_row(page_id, page_type)
    return Document(*row) if row else None


_PAGE_ID_PLACEHOLDER = -7_319_846_225  # no page has this id: marks where the id goes


@functools.cache
def _public_document_query(alias: str, page_type: str | None):
    """Compile, once, the query `_documents(ANONYMOUS, ...)` runs: SQL, params, converters.

    Anonymous reads are most of the traffic and their visibility rule never varies, yet
    building and compiling the queryset cost more than running it. The SQL comes from the
    same queryset, so `api.access` stays the one place that decides what anyone may see.
    """
    queryset = _documents(ANONYMOUS, _PAGE_ID_PLACEHOLDER, page_type)[:1]  # pk lookup: 0 or 1
    compiler = queryset.query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    slot = params.index(_PAGE_ID_PLACEHOLDER)
    converters = compiler.get_converters([column for column, _, _ in compiler.select])
    return sql, list(params), slot, converters


def _public_document_row(page_id: int, page_type: str | None) -> tuple | None:
    alias = LiveDocument.objects.db
    sql, params, slot, converters = _public_document_query(alias, page_type)
    params = params.copy()
    params[slot] = page_id
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    row = list(row)
    for position, (functions, expression) in converters.items():
        for convert in functions:
            row[position] = convert(row[position], expression, connection)
    return tuple(row)


def _overlay_document(
    caller: Caller, document: OverlayDocument | None, page_type: str | None = None
) -> Document | None:
    if document is None or (page_type is not None and document.type != page_type):
        return None
    if not overlay_document_visible(caller, document):
        return None
    return Document(document.body, document.etag, document.published_at, False, 0)


def document_resolve(
    *, caller: Caller, path: str, overlay: ReleaseOverlay | None = None
) -> Document | None:
    """Return the document a frontend serves at `path` (e.g. `/members/nasa/`)."""
    root = site_root_url_path()
    if root is None:
        return None
    url_path = root + path.strip("/") + ("/" if path.strip("/") else "")
    documents = visible_documents(caller).filter(page__url_path=url_path)
    if overlay is not None:
        if url_path in overlay.by_url_path:
            return _overlay_document(caller, overlay.by_url_path[url_path])
        documents = documents.exclude(page_id__in=overlay.page_ids)
    row = documents.values_list(*DOCUMENT_COLUMNS).first()
    return Document(*row) if row else None


@dataclass
class RedirectTarget:
    """Where a redirect that editors manage (Wagtail's redirects module) sends a path."""

    location: str  # a frontend path, or an absolute URL elsewhere
    permanent: bool


def redirect_resolve(*, path: str) -> RedirectTarget | None:
    """Return the redirect of the default site (or of all sites) from a frontend path, if any.

    Only when no live page is at the path (whoever may read it): a page always wins, as in
    Wagtail's own redirect middleware. A redirect to a page that is not live leads nowhere.
    """
    root = site_root_url_path()
    if root is None:
        return None
    url_path = root + path.strip("/") + ("/" if path.strip("/") else "")
    if Page.objects.filter(url_path=url_path, live=True).exists():
        return None
    site = Site.objects.filter(is_default_site=True).first()
    redirect = (
        Redirect.get_for_site(site)
        .filter(old_path=Redirect.normalise_path(path))
        .select_related("redirect_page")
        .order_by(F("site_id").asc(nulls_last=True))  # the site's own before an all-sites one
        .first()
    )
    if redirect is None:
        return None
    if redirect.redirect_page_id is not None:
        page = redirect.redirect_page
        if not page.live:
            return None
        location = frontend_path(page.url_path, root)
        if redirect.redirect_page_route_path:
            location = location.rstrip("/") + redirect.redirect_page_route_path
    elif redirect.redirect_link:
        location = redirect.redirect_link
    else:
        return None
    return RedirectTarget(location=location, permanent=redirect.is_permanent)


def sitemap_entries() -> list[tuple[int, str, str, datetime]]:
    """Return (id, type, frontend path, published at) of every live public page of the default
    site, in tree order: what anyone may read, never a restricted page."""
    root = site_root_url_path()
    if root is None:
        return []
    rows = (
        visible_documents(ANONYMOUS)
        .filter(page__url_path__startswith=root)
        .order_by("page__path")
        .values_list("page_id", "version__type", "page__url_path", "version__published_at")
    )
    return [(pk, kind, frontend_path(url_path, root), at) for pk, kind, url_path, at in rows]


def listing(
    *, queryset: QuerySet, offset: int, limit: int, overlay: ReleaseOverlay | None = None
) -> tuple[int, list[tuple[str, datetime]]]:
    """Return the total and one page of (body, published_at) rows, in two queries.

    Not one query with a window count: that carries every matching row's body through the
    window before the limit applies (162 ms of CPU per list at 20,000 pages on SQLite,
    against 21 ms for these two). With a release overlay, the pages it renders take its
    documents (`queryset` comes from `pages_visible` with the same overlay).
    """
    count = queryset.count()
    columns = ("live_document__version__body", "live_document__version__published_at")
    if overlay is None:
        return count, list(queryset.values_list(*columns)[offset : offset + limit])
    rows = []
    for page_id, body, published_at in queryset.values_list("pk", *columns)[
        offset : offset + limit
    ]:
        if (document := overlay.documents.get(page_id)) is not None:
            body, published_at = document.body, document.published_at
        rows.append((body, published_at))
    return count, rows


def pages_visible(
    *, caller: Caller, model: type[Page] = Page, overlay: ReleaseOverlay | None = None
) -> QuerySet:
    return visible_pages(caller, model, overlay)


def versions_visible(
    *, caller: Caller, document: Document, page_id: int, with_publishers: bool = False
) -> list:
    """Return the versions of a page the caller may read (`document`: its live one), oldest
    first, without their bodies; `with_publishers` adds who published each (`publisher_name`)."""
    versions = PublishedVersion.objects.filter(page_id=page_id).defer("body").order_by("number")
    if with_publishers:
        versions = versions.annotate(publisher_name=_publisher_name())
    return [v for v in versions if version_visible(caller, v, live_version_id=document.version_id)]


def _publisher_name():
    """Who published a version: the user Wagtail's log names for publishing its revision (full
    name, else username), for versions caused by a publish; None for re-renders."""
    publishes = PageLogEntry.objects.filter(
        page_id=OuterRef("page_id"),
        revision_id=OuterRef("revision_id"),
        action__startswith="wagtail.publish",
        user__isnull=False,
    ).order_by("-timestamp", "-pk")
    full_name = Trim(Concat("user__first_name", Value(" "), "user__last_name"))
    username = F(f"user__{get_user_model().USERNAME_FIELD}")
    name = Coalesce(NullIf(full_name, Value("")), username, output_field=CharField())
    return Case(
        When(
            cause=PublishedVersion.Cause.PUBLISH,
            then=Subquery(publishes.annotate(name=name).values("name")[:1]),
        ),
        default=None,
        output_field=CharField(),
    )


def version_get(
    *, caller: Caller, document: Document, page_id: int, number: int
) -> PublishedVersion | None:
    """Return version `number` of a page if the caller may read it."""
    if not 0 < number <= MAX_INT:
        return None
    version = PublishedVersion.objects.filter(page_id=page_id, number=number).first()
    if version is None or not version_visible(caller, version, live_version_id=document.version_id):
        return None
    return version


def version_as_of(
    *, caller: Caller, document: Document, page_id: int, moment: datetime
) -> PublishedVersion | None:
    """Return the version that was live at `moment`, if the caller may read it."""
    version = (
        PublishedVersion.objects.filter(page_id=page_id, published_at__lte=moment)
        .exclude(live_until__lte=moment)
        .order_by("-number")
        .first()
    )
    if version is None or not version_visible(caller, version, live_version_id=document.version_id):
        return None
    return version


LAST_CHANGE_SCAN = 50


def last_change_at(*, caller: Caller) -> datetime | None:
    """Return when content the caller may see last changed: the newest feed entry they see.

    Never a hidden entry's time, which would tell a caller when content they may not read
    changed. Anonymous callers read public entries only (one query). For a token holder the
    newest entries are read once, newest first, for one they may see; when all of those are
    hidden, the newest public entry answers (an older date, never a hidden one): two queries
    at most.
    """
    queryset, may_see = visible_changes(caller)
    newest_public = Change.objects.filter(is_public=True).order_by("-seq")
    if not caller.authenticated:
        return newest_public.values_list("at", flat=True).first()
    recent = queryset.order_by("-seq").only("seq", "at", "is_public", "audiences")
    for change in recent[:LAST_CHANGE_SCAN]:
        if may_see(change):
            return change.at
    return newest_public.values_list("at", flat=True).first()


CHANGES_SCAN_BATCHES = 5


def changes_after(*, caller: Caller, seq: int, limit: int) -> tuple[list, int, bool]:
    """Return up to `limit` entries after `seq` the caller may see, the seq to continue after,
    and whether entries are left after it.

    Anonymous callers read only public entries, so one query of `limit + 1` rows answers, and
    the cursor stops at the last public entry. A token holder may skip entries of audiences it
    is not in, and its cursor stops at the last entry it may see too (so a hidden change does
    not move it, nor the answer's ETag), unless the scan stops after its few batches without
    reaching the end: then the cursor moves past what was skipped, so a request costs a
    bounded number of queries whatever the feed holds (and that much hidden change shows).
    """
    queryset, may_see = visible_changes(caller)
    entries: list = []
    last = last_visible = seq
    for _ in range(CHANGES_SCAN_BATCHES):
        batch = list(queryset.filter(seq__gt=last).order_by("seq")[: limit + 1])
        for change in batch:
            if len(entries) == limit:
                return entries, last, True
            last = change.seq
            if may_see(change):
                entries.append(change)
                last_visible = last
        if len(batch) <= limit:
            return entries, last_visible, False
    return entries, last, True


SEARCH_CANDIDATES = 1000


def search(
    *, caller: Caller, query: str, page_type: str | None, offset: int, limit: int
) -> tuple[int, list[str]]:
    """Return the number of visible hits and one page of their documents, best first.

    Wagtail's backend ranks live pages (PostgreSQL full text on PostgreSQL); the caller's
    visibility then filters the top `SEARCH_CANDIDATES` by id, so nothing hidden is counted.
    """
    pages = Page.objects.live()
    if page_type is not None:
        pages = pages.type(*models_of_type(page_type))
    ranked = [page.pk for page in pages.search(query)[:SEARCH_CANDIDATES]]
    bodies = dict(
        visible_documents(caller).filter(page_id__in=ranked).values_list("page_id", "version__body")
    )
    visible = [bodies[page_id] for page_id in ranked if page_id in bodies]
    return len(visible), visible[offset : offset + limit]


# Releases -------------------------------------------------------------------------------------


def releases_visible(
    *,
    caller: Caller,
    after: datetime | None,
    before: datetime | None,
    offset: int,
    limit: int,
    previewed: Release | None = None,
    overlay: ReleaseOverlay | None = None,
) -> tuple[int, list[Release]]:
    """Return the number of releases and one page of them, newest first: the published ones
    (within the dates), after the release a token previews (when no date is asked)."""
    published = Release.objects.published().order_by("-published_at", "-pk")
    if after is not None:
        published = published.filter(published_at__gte=after)
    if before is not None:
        published = published.filter(published_at__lt=before)
    first = previewed if previewed is not None and after is None and before is None else None
    shift = 1 if first is not None else 0
    count = published.count() + shift
    releases = list(
        published.prefetch_related("items")[max(offset - shift, 0) : offset + limit - shift]
    )
    if first is not None and offset == 0:
        releases.insert(0, first)
    for release in releases:
        release.visible_items = _release_items(caller, release, overlay)
    return count, releases


def release_get(
    *,
    caller: Caller,
    pk: int,
    previewed: Release | None = None,
    overlay: ReleaseOverlay | None = None,
) -> Release | None:
    """Return a published release, or the one a token previews."""
    if previewed is not None and previewed.pk == pk:
        release = previewed
    elif 0 < pk <= MAX_INT:
        release = Release.objects.published().filter(pk=pk).prefetch_related("items").first()
    else:
        release = None
    if release is not None:
        release.visible_items = _release_items(caller, release, overlay)
    return release


def _release_items(
    caller: Caller, release: Release, overlay: ReleaseOverlay | None
) -> list[ReleaseItem]:
    """The items of a release the caller may see: what a published one published, or what
    the previewed one would (its documents in the overlay; what it unpublishes, if live)."""
    if release.status == Release.Status.PUBLISHED:
        return [item for item in release.items.all() if release_item_visible(caller, item)]
    items = list(release.items.filter(active=True))
    live = dict(
        visible_documents(caller)
        .filter(page_id__in=[item.page_id for item in items])
        .values_list("page_id", "version__type")
    )
    shown = []
    for item in items:
        document = overlay.documents.get(item.page_id) if overlay is not None else None
        if item.action == ReleaseItem.Action.PUBLISH and document is not None:
            if overlay_document_visible(caller, document):
                item.page_type = document.type
                shown.append(item)
        elif item.action == ReleaseItem.Action.UNPUBLISH and item.page_id in live:
            item.page_type = live[item.page_id]
            shown.append(item)
    return shown

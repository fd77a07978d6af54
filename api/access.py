"""What a caller may see. Every endpoint asks here; none filters on its own.

A caller sees a page when it is live, has a published document, and the document's audience
(the page's view restrictions) admits the caller. Drafts never reach this module: documents
are rendered from the live page at publish time, previews go through `preview` tokens.

A request with a valid release token reads an overlay (`releases.overlay`): the same rule over
the documents the release would publish, the pages it unpublishes hidden, every other document
live. Only that request: nothing here keeps it.
"""

from django.db.models import Q, QuerySet
from wagtail.models import Page

from documents.audience import ANONYMOUS, Caller, audience_allows
from pipeline.models import Change, LiveDocument, PublishedVersion
from releases.models import ReleaseItem
from releases.overlay import OverlayDocument, ReleaseOverlay


def caller_of(request) -> Caller:
    """Return who is asking, from the API token the request authenticated with (if any)."""
    return getattr(request, "caller", None) or ANONYMOUS


def _restricted_ids_allowed(caller: Caller) -> list[int]:
    """Return ids of restricted live documents this caller may read (restricted ones are few)."""
    if not caller.authenticated:
        return []
    rows = LiveDocument.objects.filter(is_public=False).values_list("page_id", "audience")
    return [page_id for page_id, audience in rows if audience_allows(audience, caller)]


def visibility_q(caller: Caller, prefix: str = "live_document__") -> Q:
    """Return the filter for documents the caller may read, relative to `prefix`."""
    visible = Q(**{f"{prefix}is_public": True})
    allowed = _restricted_ids_allowed(caller)
    if allowed:
        visible |= Q(**{f"{prefix}page_id__in": allowed})
    return visible


def visible_pages(
    caller: Caller, model: type[Page] = Page, overlay: ReleaseOverlay | None = None
) -> QuerySet:
    """Return the pages of `model` the caller may read (as a release would leave them)."""
    live = model.objects.filter(live=True, live_document__isnull=False).filter(visibility_q(caller))
    if overlay is None:
        return live
    released = [
        page_id
        for page_id in overlay.pages
        if page_id in overlay.documents
        and overlay_document_visible(caller, overlay.documents[page_id])
    ]
    unchanged = live.exclude(pk__in=list(overlay.pages) + list(overlay.hidden))
    return model.objects.filter(Q(pk__in=unchanged.values("pk")) | Q(pk__in=released))


def overlay_document_visible(caller: Caller, document: OverlayDocument) -> bool:
    """Return whether the caller may read a document of a release overlay (its audience)."""
    return audience_allows(document.audience, caller)


def visible_documents(caller: Caller) -> QuerySet:
    """Return the live documents the caller may read."""
    return LiveDocument.objects.filter(page__live=True).filter(visibility_q(caller, prefix=""))


def sees_publishers(user) -> bool:
    """Return whether a token's user may see who published each version (staff names and
    revision ids): people who work in the CMS's admin, not anonymous callers or members."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.has_perm("wagtailadmin.access_admin")
    )


def version_visible(caller: Caller, version: PublishedVersion, *, live_version_id: int) -> bool:
    """Return whether the caller, who may read the item now, may read one of its versions.

    A version is rendered for the audience of its time: one made while the page was
    members-only may embed members-only pages, so it is served only to that audience, unless it
    is the very version the caller reads live.
    """
    if version.pk == live_version_id:
        return True
    return version.audience is not None and audience_allows(version.audience, caller)


def visible_changes(caller: Caller) -> tuple[QuerySet, callable]:
    """Return change entries the caller may see, and a predicate for the restricted ones."""
    if not caller.authenticated:
        return Change.objects.filter(is_public=True), lambda change: True
    return (
        Change.objects.all(),
        lambda change: (
            change.is_public
            or any(audience_allows(audience, caller) for audience in change.audiences)
        ),
    )


def release_item_visible(caller: Caller, item: ReleaseItem) -> bool:
    """Return whether the caller may see that a published release changed this item: whoever
    may read the version it published (as the change feed decides for its entry)."""
    return item.audience is not None and audience_allows(item.audience, caller)

"""Where an item lives in the delivery API: every API path is built here, from API_URL_PREFIX."""

from django.conf import settings
from wagtail.models import Site

# API type -> typed collection; every other type is served under `pages` only.
COLLECTION_BY_TYPE = {
    "faq": "faqs",
    "member": "members",
    "roadmap_release": "roadmap-releases",
}
PAGES = "pages"
RELEASES = "releases"  # published releases (many page changes that went live at once)
# The other endpoints under the prefix, by the name the API index gives them.
RESOLVE = "pages/resolve"
SEARCH = "search"
CHANGES = "changes"
SITEMAP = "sitemap"
DOCS = "docs"
SCHEMA = "schema"


def api_prefix() -> str:
    """Return the API's base path, e.g. `/api/v1/` (the `API_URL_PREFIX` setting)."""
    return settings.API_URL_PREFIX


def collection_of(page_type: str) -> str:
    """Return the collection an item type is served in: its typed one, else `pages`."""
    return COLLECTION_BY_TYPE.get(page_type, PAGES)


def collection_path(collection: str) -> str:
    """Return the path of a collection or endpoint, e.g. `/api/v1/members/`."""
    return f"{api_prefix()}{collection}/"


def public_url(path: str) -> str:
    """Return an absolute URL on the API's public base (`API_PUBLIC_BASE_URL`) for a path."""
    return settings.API_PUBLIC_BASE_URL.rstrip("/") + path


def item_path(collection: str, page_id: int) -> str:
    """Return the path of an item in a given collection, e.g. `/api/v1/pages/26/`."""
    return f"{collection_path(collection)}{page_id}/"


def api_path(page_type: str, page_id: int) -> str:
    """Return the API path of an item: in its typed collection when it has one, else `pages`."""
    return item_path(collection_of(page_type), page_id)


def site_root_url_path() -> str | None:
    """Return the Wagtail url_path of the default site's root page (frontend path `/`)."""
    return (
        Site.objects.filter(is_default_site=True)
        .values_list("root_page__url_path", flat=True)
        .first()
    )


def frontend_path(url_path: str, root: str) -> str:
    """Return the path a frontend serves a page at (`/members/nasa/`), from its Wagtail
    url_path and the site root's (`root`, see `site_root_url_path`)."""
    url_path = url_path or ""
    if url_path.startswith(root):
        return "/" + url_path[len(root) :]
    return url_path

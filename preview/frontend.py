"""Where the frontend lives, and the URL that shows a page there with a preview token."""

from django.conf import settings
from django.utils.http import urlencode
from wagtail.models import Page, Site

from documents.rendering import RenderContext


def site_of(page: Page) -> Site | None:
    """Return the site a page belongs to (also for an unsaved page with a tree path)."""
    if page.path:
        for site in Site.objects.select_related("root_page").order_by("-root_page__depth"):
            if page.path.startswith(site.root_page.path):
                return site
    return Site.objects.filter(is_default_site=True).first()


def frontend_url_for(site: Site | None) -> str:
    """Return the frontend base URL of a site: FRONTEND_SITE_URLS[hostname], else FRONTEND_URL."""
    urls = settings.FRONTEND_SITE_URLS
    if site is not None and site.hostname in urls:
        return urls[site.hostname].rstrip("/")
    return settings.FRONTEND_URL.rstrip("/")


def frontend_preview_url(*, page: Page, token: str) -> str:
    """Return the frontend URL showing this page's draft: its path, with the token."""
    path = RenderContext().frontend_path(page) or "/"
    return f"{frontend_url_for(site_of(page))}{path}?{urlencode({'token': token})}"

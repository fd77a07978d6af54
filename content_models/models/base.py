"""The common base of every page type delivered by the API."""

from django.conf import settings
from django.http import HttpResponseRedirect
from wagtail.models import Page

from preview.mixins import FrontendPreviewMixin


class ContentPage(FrontendPreviewMixin, Page):
    """A page type the delivery API knows by a short, stable `type` name.

    Previews open the configured frontend with a preview token (see `preview`).
    """

    api_type: str = "page"

    class Meta:
        abstract = True

    def serve(self, request, *args, **kwargs):
        """Send visitors of a page URL on the CMS host to the frontend that renders it.

        The CMS is headless: it has no templates; the frontend owns the public URLs.
        """
        site_root = self.get_site().root_page if self.get_site() else None
        path = self.url_path
        if site_root is not None and path.startswith(site_root.url_path):
            path = "/" + path[len(site_root.url_path) :]
        return HttpResponseRedirect(settings.FRONTEND_URL.rstrip("/") + path)

"""The common base of every page type delivered by the API."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponseRedirect
from wagtail import hooks
from wagtail.models import Page

# The Wagtail hook that shows a preview in the frontend. The `preview` app registers it:
# content models only say that their previews happen in the frontend, not how.
SERVE_FRONTEND_PREVIEW = "serve_frontend_preview"


class ContentPage(Page):
    """A page type the delivery API knows by a short, stable `type` name.

    The CMS is headless: visitors and previews both go to the frontend.
    """

    api_type: str = "page"
    preview_modes = [("", "Frontend")]

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

    def serve_preview(self, request, mode_name):
        """Answer Wagtail's Preview with the function registered for `serve_frontend_preview`.

        Wagtail calls this only after its own permission checks (edit, add, publish or the
        review task's actions), with the object it would show: the unsaved form state or a
        saved revision.
        """
        for serve in hooks.get_hooks(SERVE_FRONTEND_PREVIEW):
            return serve(self, request, mode_name)
        raise ImproperlyConfigured(
            f"No app registers the {SERVE_FRONTEND_PREVIEW!r} Wagtail hook: install `preview`."
        )

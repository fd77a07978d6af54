"""Admin integration: share-link pages, and the buttons and panel that lead to them."""

from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.admin.widgets import Button
from wagtail.models import TaskState

from content_models.models.base import SERVE_FRONTEND_PREVIEW

from . import services
from .frontend import frontend_preview_url
from .views import RevokeShareLinkView, ShareLinksView


@hooks.register(SERVE_FRONTEND_PREVIEW)
def serve_frontend_preview(page, request, mode_name):
    """Store the page as Wagtail previews it and send the browser to the frontend with a token.

    The object is what the admin would show: unsaved form state in the editor and its live
    preview panel, or a saved revision on the review screen. It is kept for PREVIEW_LIVE_TTL;
    the frontend fetches it from the API's preview endpoint.
    """
    _state, token = services.live_preview_create(
        page=page, user=request.user, revision_id=getattr(request, "revision_id", None)
    )
    response = redirect(frontend_preview_url(page=page, token=token))
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@hooks.register("register_admin_urls")
def register_share_link_urls():
    return [
        path(
            "preview/pages/<int:page_id>/share-links/",
            ShareLinksView.as_view(),
            name="preview_share_links",
        ),
        path(
            "preview/share-links/<int:link_id>/revoke/",
            RevokeShareLinkView.as_view(),
            name="preview_share_link_revoke",
        ),
    ]


def _shareable(page, user) -> bool:
    return not page.is_root() and services.user_may_share(page=page, user=user)


@hooks.register("register_page_header_buttons")
def share_links_header_button(page, user, view_name, next_url=None):
    if _shareable(page, user):
        yield PageMenuItem(
            "Share links",
            reverse("preview_share_links", args=[page.pk]),
            icon_name="link",
            priority=66,
            page=page,
        )


@hooks.register("register_page_listing_more_buttons")
def share_links_listing_button(page, user, next_url=None):
    if _shareable(page, user):
        yield Button(
            "Share links",
            reverse("preview_share_links", args=[page.pk]),
            icon_name="link",
            priority=66,
        )


class ReviewShareLinksPanel(Component):
    """Dashboard panel next to "Awaiting your review": share each draft in review."""

    name = "review_share_links"
    order = 225  # just after "Awaiting your review"

    def __init__(self, request):
        self.request = request

    def render_html(self, parent_context=None) -> str:
        states = (
            TaskState.objects.reviewable_by(self.request.user)
            .select_related("revision", "task")
            .order_by("-started_at")[:20]
        )
        rows = []
        for state in states:
            page = state.revision.content_object
            if page is None or not hasattr(page, "get_admin_display_title"):
                continue
            rows.append(
                {
                    "page": page,
                    "revision_id": state.revision_id,
                    "task": state.task.name,
                    "url": reverse("preview_share_links", args=[page.pk]),
                }
            )
        if not rows:
            return ""
        return render_to_string("preview/review_panel.html", {"rows": rows}, self.request)


@hooks.register("construct_homepage_panels")
def add_review_share_links_panel(request, panels):
    panels.append(ReviewShareLinksPanel(request))

"""Admin integration: the Releases snippet, the release screen's URLs, "Add to release" on a
page's editor, the snippet action menu without Wagtail's own publish, and the worker's beat."""

from django.db import transaction
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.snippets.action_menu import PublishMenuItem, UnpublishMenuItem
from wagtail.snippets.models import register_snippet

from pipeline.scheduling import BEAT_JOB_HOOK

from . import views
from .models import Release
from .scheduling import releases_publish_due
from .viewsets import ReleaseViewSet

register_snippet(ReleaseViewSet)

# The worker's beat publishes scheduled releases at their go-live time.
hooks.register(BEAT_JOB_HOOK, releases_publish_due)


@hooks.register("register_admin_urls")
def register_release_urls():
    release = "releases/<int:pk>/"
    return [
        path(release, views.ReleaseScreenView.as_view(), name="releases_screen"),
        path(f"{release}items/add/", views.ItemAddView.as_view(), name="releases_item_add"),
        path(f"{release}items/repin/", views.ItemRepinView.as_view(), name="releases_item_repin"),
        path(
            f"{release}items/remove/", views.ItemRemoveView.as_view(), name="releases_item_remove"
        ),
        path(
            f"{release}items/confirm/",
            views.ItemConfirmView.as_view(),
            name="releases_item_confirm",
        ),
        # Its own transactions: a failed publish is rolled back, and then marked failed.
        path(
            f"{release}publish/",
            transaction.non_atomic_requests(views.ReleasePublishView.as_view()),
            name="releases_publish",
        ),
        path(f"{release}schedule/", views.ReleaseScheduleView.as_view(), name="releases_schedule"),
        path(
            f"{release}unschedule/",
            views.ReleaseUnscheduleView.as_view(),
            name="releases_unschedule",
        ),
        path(f"{release}cancel/", views.ReleaseCancelView.as_view(), name="releases_cancel"),
        path(f"{release}preview/", views.ReleasePreviewView.as_view(), name="releases_preview"),
        path(
            f"{release}share-links/",
            views.ReleaseShareLinksView.as_view(),
            name="releases_share_links",
        ),
        path(
            "releases/share-links/<int:link_id>/revoke/",
            views.ReleaseLinkRevokeView.as_view(),
            name="releases_link_revoke",
        ),
        path(
            "releases/add-page/<int:page_id>/",
            views.PageAddToReleaseView.as_view(),
            name="releases_add_page",
        ),
    ]


@hooks.register("register_page_header_buttons")
def add_to_release_header_button(page, user, view_name, next_url=None):
    """ "Add to release" in the page editor's header menu, for those who build releases."""
    if page.is_root() or not views.may_edit(user):
        return
    yield PageMenuItem(
        "Add to release",
        reverse("releases_add_page", args=[page.pk]),
        icon_name="list-ul",
        priority=67,
        page=page,
    )


@hooks.register("construct_snippet_action_menu")
def release_action_menu(menu_items, request, context):
    """A release is approved by its review, and published from its screen: no "Publish" (nor
    "Approve and Publish") in its editor."""
    if context.get("model") is not Release:
        return
    menu_items[:] = [
        item for item in menu_items if not isinstance(item, PublishMenuItem | UnpublishMenuItem)
    ]
    for item in menu_items:
        if getattr(item, "name", None) == "approve":
            item.label = "Approve"

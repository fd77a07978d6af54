"""Releases in Wagtail's admin: the snippet views (list, create, edit with its Review workflow
actions, history) and the panel that shows a release's items in its editor."""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse
from wagtail.admin import messages
from wagtail.admin.panels import FieldPanel, ObjectList, Panel
from wagtail.admin.ui.tables import Column, TitleColumn, UpdatedAtColumn
from wagtail.snippets.views.snippets import CreateView, EditView, SnippetViewSet

from . import services
from .models import Release
from .selectors import release_items


def screen_url(release: Release) -> str:
    return reverse("releases_screen", args=[release.pk])


def item_count(release: Release) -> int:
    return release.items.count()


class ReleaseItemsPanel(Panel):
    """The items of the release, read-only, with a link to the release screen that edits them."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "releases/panels/items.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            release = self.instance
            context["release"] = release
            context["states"] = release_items(release) if release.pk else []
            context["screen_url"] = screen_url(release) if release.pk else None
            return context


class ReleaseCreateView(CreateView):
    """Create a release owned by its creator, then go to its screen to add pages."""

    def save_instance(self):
        self.form.instance.owner = self.request.user
        return super().save_instance()

    def get_success_url(self):
        return screen_url(self.object)


class ReleaseEditView(EditView):
    """Edit a release's title and notes, and submit it to (or act on) its Review workflow.

    A finished release is not edited. A new revision of an approved or scheduled release needs
    review again (its approval covered the previous one).
    """

    def dispatch(self, request, *args, **kwargs):
        if not self.live_object.is_unfinished and request.method == "POST":
            messages.error(request, f"'{self.live_object}' is finished: it can no longer change.")
            return redirect(screen_url(self.live_object))
        return super().dispatch(request, *args, **kwargs)

    def save_instance(self):
        instance = super().save_instance()
        if self.form.has_changed():
            services.release_definition_changed(release=instance)
        return instance


class ReleaseViewSet(SnippetViewSet):
    model = Release
    icon = "list-ul"
    menu_label = "Releases"
    menu_name = "releases"
    menu_order = 250
    add_to_admin_menu = True
    add_view_class = ReleaseCreateView
    edit_view_class = ReleaseEditView
    list_filter = ["status"]
    edit_handler = ObjectList(
        [FieldPanel("title"), FieldPanel("notes"), ReleaseItemsPanel(heading="Pages")]
    )
    # Wagtail adds the status column (a draft-state model's `status_string`: the release's).
    list_display = [
        TitleColumn("title", label="Title", get_url=screen_url),
        Column("items", label="Pages", accessor=item_count),
        Column("publish_at", label="Go-live time"),
        Column("owner", label="Owner"),
        UpdatedAtColumn(),
    ]

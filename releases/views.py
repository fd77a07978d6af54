"""The release screen and its actions, share links, and "Add to release" from a page's editor.

Thin views over `services` and `previews`: each action is a POST that does one thing and
comes back to the release screen with a message saying what happened (or why not). Editing
items needs the `change_release` permission (Editors, Reviewers); publishing and scheduling
`publish_release` (Reviewers only).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views import View
from wagtail.admin import messages
from wagtail.models import Page

from content_models.templatetags.local_time import local_time_text
from preview import reveal
from preview import services as preview_services
from preview.selectors import link_rows

from . import previews, services
from .forms import AddToReleaseForm, ItemAddForm, ScheduleForm, ShareLinkForm
from .models import Release, ReleaseItem, ReleaseLink
from .selectors import release_items, unfinished_release_of


def may_edit(user) -> bool:
    return user.is_active and user.has_perm("releases.change_release")


def screen_url(release: Release) -> str:
    return reverse("releases_screen", args=[release.pk])


class ReleaseView(View):
    """A view of one release, for those who may edit releases (or publish them)."""

    def setup(self, request, pk, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.release = get_object_or_404(Release, pk=pk)

    def dispatch(self, request, *args, **kwargs):
        if not self.allowed(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def allowed(self, user) -> bool:
        return may_edit(user) or services.may_publish(user)


class ReleaseScreenView(ReleaseView):
    """Everything about a release: its items and their conflicts, its review, its actions."""

    template_name = "releases/screen.html"

    def get(self, request, *args, **kwargs):
        return self.render()

    def render(self, *, add_form=None, schedule_form=None, status=200):
        release = self.release
        states = release_items(release)
        workflow_state = release.current_workflow_state or (
            release.workflow_states.order_by("-created_at").first()
        )
        task_state = workflow_state.current_task_state if workflow_state else None
        context = {
            "release": release,
            "states": states,
            "stale": any(state.stale for state in states),
            "workflow_state": workflow_state,
            "task_state": task_state,
            "add_form": add_form or ItemAddForm(),
            "schedule_form": schedule_form or ScheduleForm(),
            "may_edit": may_edit(self.request.user) and release.status in Release.EDITABLE,
            "may_publish": services.may_publish(self.request.user),
            "publishable": release.status in Release.PUBLISHABLE,
            "edit_url": reverse("wagtailsnippets_releases_release:edit", args=[release.pk]),
            "header_title": f"Release: {release.title}",
            "page_title": "Release",
            "page_subtitle": release.title,
            "header_icon": "list-ul",
        }
        return TemplateResponse(self.request, self.template_name, context, status=status)


class ReleaseActionView(ReleaseView):
    """A POST that changes a release and goes back to its screen."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        return self.run(request, lambda: self.act(request))

    def run(self, request, action) -> HttpResponse:
        """Do the action; say what it did, or why it could not, on the release screen."""
        try:
            message = action()
        except services.ReleaseRefused as refused:
            messages.error(request, str(refused))
        except ValidationError as invalid:
            messages.error(request, " ".join(invalid.messages))
        else:
            messages.success(request, message)
        return redirect(screen_url(self.release))

    def act(self, request) -> str:
        raise NotImplementedError

    def screen(self, request, **forms) -> HttpResponse:
        """Show the release screen again, with a form's errors."""
        view = ReleaseScreenView()
        view.setup(request, pk=self.release.pk)
        return view.render(status=400, **forms)

    def allowed(self, user) -> bool:
        return may_edit(user)

    def item(self, request) -> ReleaseItem:
        return get_object_or_404(ReleaseItem, pk=request.POST.get("item"), release=self.release)


class ItemAddView(ReleaseActionView):
    def post(self, request, *args, **kwargs):
        form = ItemAddForm(request.POST)
        if not form.is_valid():
            return self.screen(request, add_form=form)
        return self.run(request, lambda: self.add(form))

    def add(self, form) -> str:
        page = form.cleaned_data["page"]
        services.release_item_add(
            release=self.release,
            page=page,
            user=self.request.user,
            action=form.cleaned_data["action"],
        )
        return f"'{page.get_admin_display_title()}' added to the release."


class ItemRepinView(ReleaseActionView):
    def act(self, request) -> str:
        item = services.release_item_repin(item=self.item(request), user=request.user)
        return f"Revision {item.revision_id} pinned."


class ItemRemoveView(ReleaseActionView):
    def act(self, request) -> str:
        services.release_item_remove(item=self.item(request), user=request.user)
        return "Page removed from the release."


class ItemConfirmView(ReleaseActionView):
    def act(self, request) -> str:
        services.release_item_confirm(item=self.item(request), user=request.user)
        return "Conflict confirmed: the pinned revision will be published as it is."


class ReleaseCancelView(ReleaseActionView):
    def act(self, request) -> str:
        services.release_cancel(release=self.release, user=request.user)
        return "Release cancelled: its pages are free for other releases."


class ReleasePublishView(ReleaseActionView):
    """Publish now (reviewers). Routed without the request's transaction (see
    `wagtail_hooks`): the publish is its own transaction, and a failure mark its own."""

    def allowed(self, user) -> bool:
        return services.may_publish(user)

    def act(self, request) -> str:
        try:
            services.release_publish(release=self.release, user=request.user)
        except services.ReleaseFailed as failed:
            raise services.ReleaseRefused(
                f"Publishing failed, and nothing of it was published: {failed}"
            ) from failed
        return f"'{self.release}' is live: all its pages at once."


class ReleaseScheduleView(ReleaseActionView):
    def allowed(self, user) -> bool:
        return services.may_publish(user)

    def post(self, request, *args, **kwargs):
        form = ScheduleForm(request.POST)
        if not form.is_valid():
            return self.screen(request, schedule_form=form)
        return self.run(request, lambda: self.schedule(form))

    def schedule(self, form) -> str:
        release = services.release_schedule(
            release=self.release, at=form.cleaned_data["publish_at"], user=self.request.user
        )
        return f"Scheduled: the worker publishes it at {local_time_text(release.publish_at)}."


class ReleaseUnscheduleView(ReleaseActionView):
    def allowed(self, user) -> bool:
        return services.may_publish(user)

    def act(self, request) -> str:
        services.release_unschedule(release=self.release, user=request.user)
        return "No longer scheduled; still approved."


class ReleasePreviewView(ReleaseView):
    """Open the frontend as the release would leave it (a live token, PREVIEW_LIVE_TTL)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if not self.release.is_unfinished:
            messages.error(request, "Only a release in preparation can be previewed.")
            return redirect(screen_url(self.release))
        _link, token = previews.release_preview_create(release=self.release, user=request.user)
        response = redirect(previews.frontend_release_url(token=token))
        response["Cache-Control"] = "private, no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response


class ReleaseShareLinksView(reveal.NewLinkShownOnce, ReleaseView):
    """A release's share links. Creating one redirects back here, where its URL is shown on
    the first view only (only its hash is stored; see `preview.reveal`)."""

    template_name = "releases/share_links.html"

    def empty_form(self) -> ShareLinkForm:
        return ShareLinkForm()

    @property
    def reveal_scope(self) -> str:
        return f"release:{self.release.pk}"

    def post(self, request, *args, **kwargs):
        form = ShareLinkForm(request.POST)
        if not form.is_valid():
            return self.render(form, status=400)
        try:
            link, token = previews.release_share_link_create(
                release=self.release,
                user=request.user,
                expires_in=form.expires_in,
                label=form.cleaned_data["label"],
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.render(form, status=400)
        url = previews.frontend_release_url(token=token)
        reveal.new_link_keep(request, scope=self.reveal_scope, link_id=link.pk, url=url)
        return redirect("releases_share_links", pk=self.release.pk)

    def render(self, form, status=200, new_link_id=None, **extra):
        rows = link_rows(self.release.links.filter(kind=ReleaseLink.Kind.SHARE))
        extra["new_link"] = next((r["link"] for r in rows if r["link"].pk == new_link_id), None)
        context = {
            "release": self.release,
            "form": form,
            "rows": rows,
            "screen_url": screen_url(self.release),
            "header_title": f"Share links: {self.release.title}",
            "page_title": "Release share links",
            "page_subtitle": self.release.title,
            "header_icon": "link",
            **extra,
        }
        return TemplateResponse(self.request, self.template_name, context, status=status)


class ReleaseLinkRevokeView(View):
    http_method_names = ["post"]

    def post(self, request, link_id, *args, **kwargs):
        link = get_object_or_404(ReleaseLink.objects.select_related("release"), pk=link_id)
        if not previews.user_may_preview(release=link.release, user=request.user):
            raise PermissionDenied
        preview_services.link_revoke(link=link, user=request.user)
        messages.success(request, f"Share link {link.label or link.pk} revoked.")
        return redirect("releases_share_links", pk=link.release_id)


class PageAddToReleaseView(View):
    """From a page's editor: add its current draft (or its unpublish) to a release."""

    template_name = "releases/add_to_release.html"

    def setup(self, request, page_id, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.page = get_object_or_404(Page, pk=page_id)

    def dispatch(self, request, *args, **kwargs):
        if (
            not may_edit(request.user)
            or not self.page.permissions_for_user(request.user).can_edit()
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.render(AddToReleaseForm())

    def post(self, request, *args, **kwargs):
        form = AddToReleaseForm(request.POST)
        if not form.is_valid():
            return self.render(form, status=400)
        release = form.cleaned_data["release"]
        try:
            services.release_item_add(
                release=release,
                page=self.page,
                user=request.user,
                action=form.cleaned_data["action"],
            )
        except services.ReleaseRefused as refused:
            form.add_error(None, str(refused))
            return self.render(form, status=400)
        messages.success(
            request, f"'{self.page.get_admin_display_title()}' added to the release '{release}'."
        )
        return redirect(screen_url(release))

    def render(self, form, status=200):
        context = {
            "page": self.page,
            "form": form,
            "current": unfinished_release_of(self.page.pk),
            "edit_url": reverse("wagtailadmin_pages:edit", args=[self.page.pk]),
            "create_url": reverse("wagtailsnippets_releases_release:add"),
            "header_title": f"Add to release: {self.page.get_admin_display_title()}",
            "page_title": "Add to release",
            "page_subtitle": self.page.get_admin_display_title(),
            "header_icon": "list-ul",
        }
        return TemplateResponse(self.request, self.template_name, context, status=status)

"""Admin views: create, list and revoke share links of a page, and read their use log."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views import View
from wagtail.admin import messages
from wagtail.models import Page

from . import reveal, services
from .forms import ShareLinkForm
from .frontend import frontend_preview_url
from .models import ShareLink
from .selectors import link_rows


class ShareLinksView(reveal.NewLinkShownOnce, View):
    """The share links of one page, and a form to create one.

    Creating answers with a redirect back here (post/redirect/get: a reload creates nothing);
    the new link's URL is shown on that first view only (`reveal`), since only its hash is
    stored.
    """

    template_name = "preview/share_links.html"

    def setup(self, request, page_id, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.page = get_object_or_404(Page, pk=page_id).specific
        self.task_state = services.review_task_state(self.page)

    def dispatch(self, request, *args, **kwargs):
        if not services.user_may_share(page=self.page, user=request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, data=None) -> ShareLinkForm:
        review_revision_id = self.task_state.revision_id if self.task_state else None
        return ShareLinkForm(data, page=self.page, review_revision_id=review_revision_id)

    def empty_form(self) -> ShareLinkForm:
        return self.get_form()

    @property
    def reveal_scope(self) -> str:
        return f"page:{self.page.pk}"

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if not form.is_valid():
            return self.render(form, status=400)
        try:
            link, token = services.share_link_create(
                page=self.page,
                revision=form.cleaned_data["revision"],
                user=request.user,
                expires_in=form.expires_in,
                label=form.cleaned_data["label"],
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.render(form, status=400)
        preview_page = link.revision.as_object()
        url = frontend_preview_url(page=preview_page, token=token)
        reveal.new_link_keep(request, scope=self.reveal_scope, link_id=link.pk, url=url)
        return redirect("preview_share_links", page_id=self.page.pk)

    def render(self, form, status=200, new_link_id=None, **extra):
        rows = link_rows(ShareLink.objects.filter(page=self.page).select_related("revision"))
        new_link = next((row["link"] for row in rows if row["link"].pk == new_link_id), None)
        if new_link is not None:
            extra.update(new_link=new_link, new_link_shows=f"revision #{new_link.revision_id}")
        context = {
            "page": self.page,
            "form": form,
            "rows": rows,
            "header_title": f"Share links: {self.page.get_admin_display_title()}",
            "page_title": "Share links",
            "page_subtitle": self.page.get_admin_display_title(),
            "header_icon": "link",
            "task_state": self.task_state,
            "edit_url": reverse("wagtailadmin_pages:edit", args=[self.page.pk]),
            **extra,
        }
        return TemplateResponse(self.request, self.template_name, context, status=status)


class RevokeShareLinkView(View):
    http_method_names = ["post"]

    def post(self, request, link_id, *args, **kwargs):
        link = get_object_or_404(ShareLink.objects.select_related("page"), pk=link_id)
        if not services.user_may_share(page=link.page.specific, user=request.user):
            raise PermissionDenied
        services.link_revoke(link=link, user=request.user)
        messages.success(request, f"Share link {link.label or link.pk} revoked.")
        return redirect("preview_share_links", page_id=link.page_id)

"""Admin views: endpoints (list with health, create, edit), their delivery log and actions.

Every view needs the "change webhook endpoint" permission (superusers have it); the actions
are POST-only and call the actions, which do the work and the locking.

The signing secret is not on screen by default (a screen share or a shoulder would leak it): it
is shown once right after the endpoint is created or its secret rotated, and otherwise only on
an explicit "Reveal secret" (a POST, recorded in the endpoint's history).
"""

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.functional import cached_property
from django.views import View
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import CreateView, EditView, IndexView
from wagtail.admin.views.generic.base import BaseObjectMixin, WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets.button import Button
from wagtail.permission_policies import ModelPermissionPolicy

from content_models.templatetags.local_time import local_time_text

from . import actions
from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

permission_policy = ModelPermissionPolicy(WebhookEndpoint)
DELIVERIES_PER_PAGE = 25
ATTEMPTS_SHOWN = 10
SHOW_ONCE_SESSION_KEY = "webhooks_secret_shown_once"  # session key: the endpoint to show it for
TEST_ANSWER_SESSION_KEY = "webhooks_test_answer"  # session key: the last test event's answer
TEST_EXCERPT_CHARS = 500


def deliveries_url(endpoint: WebhookEndpoint) -> str:
    return reverse("webhookendpoint:deliveries", args=[endpoint.pk])


def secret_show_once(request, endpoint: WebhookEndpoint) -> None:
    """Show the endpoint's secret on the next view of its page, and then no more."""
    request.session[SHOW_ONCE_SESSION_KEY] = endpoint.pk


def _secret_shown_once(request, endpoint: WebhookEndpoint) -> bool:
    if request.session.get(SHOW_ONCE_SESSION_KEY) != endpoint.pk:
        return False
    del request.session[SHOW_ONCE_SESSION_KEY]
    return True


def _test_answer_take(request, endpoint: WebhookEndpoint) -> dict | None:
    """The answer to the test event just sent to this endpoint, once (post/redirect/get)."""
    kept = request.session.get(TEST_ANSWER_SESSION_KEY)
    if not isinstance(kept, dict) or kept.get("endpoint") != endpoint.pk:
        return None
    del request.session[TEST_ANSWER_SESSION_KEY]
    return kept


class EndpointIndexView(IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        buttons.append(
            MenuItem(
                "Deliveries and secret",
                url=deliveries_url(instance),
                icon_name="list-ul",
                priority=5,
            )
        )
        return buttons


class EndpointCreateView(CreateView):
    """Create an endpoint, then show its secret (once) on its page, for the subscriber."""

    def save_instance(self):
        instance = super().save_instance()
        secret_show_once(self.request, instance)
        return instance

    def get_success_url(self):
        return deliveries_url(self.object)


class EndpointEditView(EditView):
    @cached_property
    def header_more_buttons(self):
        return [
            Button("Deliveries and secret", url=deliveries_url(self.object), icon_name="list-ul"),
            *super().header_more_buttons,
        ]

    def save_instance(self):
        was_active = (
            WebhookEndpoint.objects.filter(pk=self.object.pk)
            .values_list("active", flat=True)
            .first()
        )
        instance = super().save_instance()
        if was_active and not instance.active:
            actions.endpoint_deactivate(endpoint=instance, reason="Deactivated in the admin.")
        elif not was_active and instance.active:
            actions.endpoint_activate(endpoint=instance)
        return instance


class EndpointMixin(PermissionCheckedMixin, BaseObjectMixin):
    model = WebhookEndpoint
    permission_policy = permission_policy
    permission_required = "change"


class EndpointDeliveriesView(EndpointMixin, WagtailAdminTemplateMixin, View):
    """An endpoint's secret, health and recent deliveries, each with its attempts."""

    template_name = "webhooks/endpoint_deliveries.html"
    header_icon = "link-external"

    def get_page_title(self):
        return "Webhook deliveries"

    def get_page_subtitle(self):
        return str(self.object)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("webhookendpoint:index"), "label": "Webhook endpoints"},
            {"url": reverse("webhookendpoint:edit", args=[self.object.pk]), "label": str(self)},
            {"url": "", "label": "Deliveries"},
        ]

    def __str__(self):
        return str(self.object)

    def get(self, request, *args, **kwargs):
        return self.render_page(
            revealed=_secret_shown_once(request, self.object),
            test_answer=_test_answer_take(request, self.object),
        )

    def render_page(self, *, revealed: bool, test_answer: dict | None = None):
        request = self.request
        deliveries = self.object.deliveries.order_by("-change_seq", "-pk").prefetch_related(
            Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("-started_at", "-pk"))
        )
        status = request.GET.get("status")
        if status in WebhookDelivery.Status.values:
            deliveries = deliveries.filter(status=status)
        paginator = WagtailPaginator(deliveries, DELIVERIES_PER_PAGE)
        page = paginator.get_page(request.GET.get("p"))
        context = self.get_context_data(
            endpoint=self.object,
            page_obj=page,
            elided_page_range=paginator.get_elided_page_range(page.number),
            status=status,
            statuses=WebhookDelivery.Status.choices,
            attempts_shown=ATTEMPTS_SHOWN,
            failed_count=self.object.deliveries.retryable().count(),
            revealed=revealed,
            test_answer=test_answer,
        )
        response = self.render_to_response(context)
        if revealed:
            add_never_cache_headers(response)
        return response


class RevealSecretView(EndpointDeliveriesView):
    """Show the endpoint's page with its signing secrets, and record who saw them."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        actions.endpoint_secret_reveal(endpoint=self.object, user=request.user)
        return self.render_page(revealed=True)


class EndpointActionView(EndpointMixin, View):
    """POST-only action on an endpoint; answers with a message on the deliveries page."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            message = self.act()
        except actions.RedeliveryRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, message)
        return redirect(deliveries_url(self.object))

    def act(self) -> str:
        raise NotImplementedError


class SendTestEventView(EndpointMixin, View):
    """Send a signed `content.test` event now and show the receiver's answer on the endpoint's
    page (kept in the session for the redirect: a reload sends nothing)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        sent = actions.endpoint_test_send(endpoint=self.object, user=request.user)
        answer = sent.answer
        request.session[TEST_ANSWER_SESSION_KEY] = {
            "endpoint": self.object.pk,
            "event_id": sent.event_id,
            "sent_at": sent.sent_at.isoformat(),
            "status_code": answer.status_code,
            "ok": answer.status_code is not None and 200 <= answer.status_code < 300,
            "excerpt": answer.excerpt[:TEST_EXCERPT_CHARS],
            "truncated": len(answer.excerpt) > TEST_EXCERPT_CHARS,
            "duration_ms": answer.duration_ms,
            "error": answer.error,
        }
        return redirect(deliveries_url(self.object))


class RotateSecretView(EndpointActionView):
    def act(self) -> str:
        endpoint = actions.endpoint_secret_rotate(endpoint=self.object, user=self.request.user)
        secret_show_once(self.request, endpoint)
        return (
            "New secret created: copy it now, it is shown only this once. The previous one "
            f"keeps signing until {local_time_text(endpoint.previous_secret_expires_at)}."
        )


class RedeliverFailedView(EndpointActionView):
    def act(self) -> str:
        count = actions.endpoint_redeliver_failed(endpoint=self.object)
        return f"{count} deliveries queued again." if count else "No failed deliveries."


class RedeliverView(EndpointActionView):
    def act(self) -> str:
        delivery = get_object_or_404(
            WebhookDelivery, pk=self.kwargs["delivery_pk"], endpoint=self.object
        )
        actions.delivery_redeliver(delivery=delivery)
        return f"Event #{delivery.change_seq} ({delivery.event_id}) queued again."


def health_column() -> Column:
    return Column("health", label="Health", accessor="get_health_display")


def events_column() -> Column:
    return Column("events", label="Events", accessor="events_display")

"""Admin: Settings > Webhook endpoints (list with health, create, edit, deliveries, actions)."""

from django.db import transaction
from django.urls import path
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import LogFormatter

from . import actions, views
from .forms import WebhookEndpointForm
from .models import WebhookEndpoint


class WebhookEndpointViewSet(ModelViewSet):
    model = WebhookEndpoint
    icon = "link-external"
    menu_label = "Webhook endpoints"
    add_to_settings_menu = True
    copy_view_enabled = False
    index_view_class = views.EndpointIndexView
    add_view_class = views.EndpointCreateView
    edit_view_class = views.EndpointEditView
    list_display = [
        "url",
        "description",
        views.health_column(),
        views.events_column(),
        "last_attempt_at",
    ]
    search_fields = ["url", "description"]
    edit_handler = ObjectList(
        [
            FieldPanel("url"),
            FieldPanel("description"),
            FieldPanel("events"),
            FieldPanel("active"),
            FieldPanel("max_in_flight"),
        ],
        base_form_class=WebhookEndpointForm,
    )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("deliveries/<int:pk>/", views.EndpointDeliveriesView.as_view(), name="deliveries"),
            path("rotate-secret/<int:pk>/", views.RotateSecretView.as_view(), name="rotate_secret"),
            path("reveal-secret/<int:pk>/", views.RevealSecretView.as_view(), name="reveal_secret"),
            # Outside the request's transaction: it waits for the receiver's answer.
            path(
                "send-test/<int:pk>/",
                transaction.non_atomic_requests(views.SendTestEventView.as_view()),
                name="send_test",
            ),
            path(
                "redeliver-failed/<int:pk>/",
                views.RedeliverFailedView.as_view(),
                name="redeliver_failed",
            ),
            path(
                "redeliver/<int:pk>/<int:delivery_pk>/",
                views.RedeliverView.as_view(),
                name="redeliver",
            ),
        ]


@hooks.register("register_admin_viewset")
def register_webhook_endpoint_viewset():
    return WebhookEndpointViewSet("webhookendpoint", url_prefix="webhooks")


class SecretRevealedFormatter(LogFormatter):
    label = "Reveal signing secret"
    message = "Signing secret revealed"


class SecretRotatedFormatter(LogFormatter):
    label = "Rotate signing secret"
    message = "Signing secret rotated"


class TestSentFormatter(LogFormatter):
    label = "Send test event"

    def format_message(self, log_entry):
        data = log_entry.data or {}
        if data.get("status_code"):
            return f"Test event {data.get('event_id')} sent: HTTP {data['status_code']}"
        return f"Test event {data.get('event_id')} sent: {data.get('error') or 'no answer'}"


@hooks.register("register_log_actions")
def register_webhook_log_actions(log_actions):
    """Name the secret's entries in an endpoint's history."""
    log_actions.register_action(actions.LOG_REVEALED)(SecretRevealedFormatter)
    log_actions.register_action(actions.LOG_ROTATED)(SecretRotatedFormatter)
    log_actions.register_action(actions.LOG_TESTED)(TestSentFormatter)

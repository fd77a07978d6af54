"""'Send test event' on a webhook endpoint's page: a signed `content.test` event goes to the
receiver at once, signed and sent like every delivery (same headers, same SSRF rule), and the
page shows what the receiver answered: status, the start of its body and the time it took, or
the connection error in words."""

import json

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Permission
from django.urls import reverse
from standardwebhooks import Webhook
from wagtail.models import ModelLogEntry

from pipeline.webhooks import actions
from pipeline.webhooks.models import WebhookDelivery, WebhookEndpoint

from .factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint(receiver):
    return WebhookEndpoint.objects.create(
        url=receiver.url, description="Static site build", events=["published"]
    )


def send_test_url(endpoint) -> str:
    return reverse("webhookendpoint:send_test", args=[endpoint.pk])


def deliveries_url(endpoint) -> str:
    return reverse("webhookendpoint:deliveries", args=[endpoint.pk])


def answer_shown(client, endpoint):
    """The 'Test event sent' box on the endpoint's page, or None."""
    response = client.get(deliveries_url(endpoint))
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser").find(id="test-event-answer")


def test_a_test_event_is_signed_like_a_delivery_and_the_answer_is_shown_once(
    admin_client, endpoint, receiver
):
    receiver.answers((202, {}, b'{"received": true}'))

    response = admin_client.post(send_test_url(endpoint))

    assert response.status_code == 302
    assert response.url == deliveries_url(endpoint)
    [request] = receiver.received
    payload = Webhook(endpoint.secret).verify(request.body, request.headers)
    assert payload["type"] == "content.test"
    assert payload["data"]["test"] is True
    assert request.headers["content-type"] == "application/json"
    assert request.headers["webhook-id"].startswith("msg_")
    box = answer_shown(admin_client, endpoint)
    assert box["data-ok"] == "true"
    assert box.select_one("[data-status-code]").get_text() == "HTTP 202"
    assert box.select_one("[data-excerpt]").get_text() == '{"received": true}'
    assert int(box.select_one("[data-duration-ms]").get_text()) >= 0
    assert box.select_one("[data-event-id]").get_text() == request.headers["webhook-id"]
    assert answer_shown(admin_client, endpoint) is None  # a reload shows (and sends) nothing
    assert len(receiver.received) == 1
    assert not WebhookDelivery.objects.exists()


def test_during_a_rotation_the_test_event_is_signed_with_both_secrets(
    admin_client, endpoint, receiver
):
    previous = endpoint.secret
    endpoint = actions.endpoint_secret_rotate(endpoint=endpoint)

    admin_client.post(send_test_url(endpoint))

    [request] = receiver.received
    for secret in (previous, endpoint.secret):
        assert Webhook(secret).verify(request.body, request.headers)["type"] == "content.test"


def test_an_error_answer_is_shown_with_its_status_and_body(admin_client, endpoint, receiver):
    receiver.answers((500, {}, b"database is down"))

    admin_client.post(send_test_url(endpoint))

    box = answer_shown(admin_client, endpoint)
    assert box["data-ok"] == "false"
    assert box.select_one("[data-status-code]").get_text() == "HTTP 500"
    assert box.select_one("[data-excerpt]").get_text() == "database is down"
    assert "only a 2xx answer" in box.get_text()


def test_a_receiver_that_is_down_is_reported_in_words(admin_client, endpoint, receiver):
    receiver.stop()

    response = admin_client.post(send_test_url(endpoint))

    assert response.status_code == 302
    error = answer_shown(admin_client, endpoint).select_one("[data-error]").get_text()
    assert error.startswith("Could not connect:")
    assert "refused" in error.lower()


def test_the_ssrf_rule_applies_to_test_events(admin_client, endpoint, receiver, settings):
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = []  # loopback is refused again

    admin_client.post(send_test_url(endpoint))

    assert receiver.received == []
    error = answer_shown(admin_client, endpoint).select_one("[data-error]").get_text()
    assert error.startswith("Refused:") and "loopback" in error


def test_sending_a_test_event_is_recorded_in_the_endpoints_history(
    admin_client, superuser, endpoint, receiver
):
    admin_client.post(send_test_url(endpoint))

    entry = ModelLogEntry.objects.for_instance(endpoint).get(action=actions.LOG_TESTED)
    assert entry.user == superuser
    assert entry.data["status_code"] == 200
    history = admin_client.get(reverse("webhookendpoint:history", args=[endpoint.pk]))
    assert "Test event msg_" in history.content.decode()


def test_the_endpoint_page_offers_the_action(admin_client, endpoint):
    page = admin_client.get(deliveries_url(endpoint)).content.decode()

    assert f'action="{send_test_url(endpoint)}"' in page
    assert "Send test event" in page


def test_sending_needs_a_post(admin_client, endpoint, receiver):
    assert admin_client.get(send_test_url(endpoint)).status_code == 405
    assert receiver.received == []


def test_editors_without_the_webhook_permission_cannot_send(client, editor, endpoint, receiver):
    client.force_login(editor)

    response = client.post(send_test_url(endpoint))

    assert response.status_code in {302, 403}
    assert receiver.received == []


def test_the_webhook_permission_lets_a_user_send(client, endpoint, receiver):
    user = UserFactory(groups=["Editors"])
    user.user_permissions.add(Permission.objects.get(codename="change_webhookendpoint"))
    client.force_login(user)

    assert client.post(send_test_url(endpoint)).status_code == 302
    assert json.loads(receiver.received[0].body)["type"] == "content.test"

"""The webhook admin: endpoints with health, URL validation (SSRF), secret rotation, the
delivery log and redelivery, all behind the webhook endpoint permission."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from pipeline.webhooks.models import WebhookDelivery, WebhookEndpoint

from .factories import StandardPageFactory, UserFactory
from .helpers import publish
from .task_queue import drain


def form_data(url, **overrides):
    return {
        "url": url,
        "description": "Static site build",
        "events": ["published", "unpublished"],
        "active": "on",
        "max_in_flight": "4",
        **overrides,
    }


def test_creating_an_endpoint_generates_a_standard_webhooks_secret(admin_client, receiver):
    response = admin_client.post(reverse("webhookendpoint:add"), form_data(receiver.url))

    assert response.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.url == receiver.url
    assert endpoint.events == ["published", "unpublished"]
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) > 40


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.org/hook", "http:// or https://"),
        ("javascript:alert(1)", "Enter a valid URL"),
        ("http://169.254.169.254/latest/meta-data/", "metadata"),
        ("http://10.1.2.3/hook", "private address"),
        ("http://does-not-exist.invalid/hook", "does not resolve"),
    ],
)
def test_a_url_that_is_not_public_http_is_a_form_error(admin_client, url, message):
    response = admin_client.post(reverse("webhookendpoint:add"), form_data(url))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["url"])
    assert not WebhookEndpoint.objects.exists()


def test_loopback_is_refused_unless_allowed(admin_client, receiver, settings):
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = []

    response = admin_client.post(reverse("webhookendpoint:add"), form_data(receiver.url))

    assert response.status_code == 200
    assert "loopback" in " ".join(response.context["form"].errors["url"])


def test_editing_to_a_refused_url_is_a_form_error(admin_client, receiver):
    endpoint = WebhookEndpoint.objects.create(url=receiver.url)

    response = admin_client.post(
        reverse("webhookendpoint:edit", args=[endpoint.pk]),
        form_data("http://[fd00:ec2::254]/"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["url"]
    endpoint.refresh_from_db()
    assert endpoint.url == receiver.url


def test_the_list_shows_each_endpoints_health(admin_client, receiver):
    WebhookEndpoint.objects.create(url=receiver.url, description="new one")
    WebhookEndpoint.objects.create(
        url=receiver.url, description="gone one", active=False, disabled_reason="410"
    )

    response = admin_client.get(reverse("webhookendpoint:index"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "No deliveries yet" in html and "Disabled" in html


def test_deactivating_an_endpoint_stops_what_is_pending(admin_client, receiver, home):
    endpoint = WebhookEndpoint.objects.create(url=receiver.url)
    publish(StandardPageFactory(parent=home))

    response = admin_client.post(
        reverse("webhookendpoint:edit", args=[endpoint.pk]),
        form_data(receiver.url, active=""),
    )

    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.active, endpoint.disabled_reason) == (False, "Deactivated in the admin.")
    assert WebhookDelivery.objects.get().status == "disabled"
    drain()
    assert receiver.received == []


def test_the_delivery_log_shows_each_attempt_but_not_the_secret(
    admin_client, receiver, home, settings
):
    settings.WEBHOOK_RETRY_SCHEDULE = [0]
    settings.WEBHOOK_RETRY_JITTER = 0
    receiver.answers((503, {}, b"Service Unavailable: maintenance"))
    endpoint = WebhookEndpoint.objects.create(url=receiver.url)
    publish(StandardPageFactory(parent=home))
    drain()

    response = admin_client.get(reverse("webhookendpoint:deliveries", args=[endpoint.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert endpoint.secret not in html  # only on "Reveal secret" (test_webhook_secret.py)
    assert "HTTP 503" in html and "Service Unavailable: maintenance" in html
    assert "HTTP 200" in html and " ms" in html
    assert "Succeeded" in html


def test_rotating_the_secret_keeps_the_previous_one_for_the_overlap(admin_client, receiver):
    endpoint = WebhookEndpoint.objects.create(url=receiver.url)
    old_secret = endpoint.secret

    response = admin_client.post(reverse("webhookendpoint:rotate_secret", args=[endpoint.pk]))

    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.secret != old_secret
    assert endpoint.previous_secret == old_secret
    assert endpoint.signing_secrets() == [endpoint.secret, old_secret]


def test_rotation_needs_a_post(admin_client, receiver):
    endpoint = WebhookEndpoint.objects.create(url=receiver.url)
    response = admin_client.get(reverse("webhookendpoint:rotate_secret", args=[endpoint.pk]))
    assert response.status_code == 405


def test_redeliver_one_and_redeliver_all_failed(admin_client, receiver, home, settings):
    settings.WEBHOOK_RETRY_SCHEDULE = []
    receiver.answers(then=(500, {}, b"down"))
    endpoint = WebhookEndpoint.objects.create(url=receiver.url)
    for _ in range(3):
        publish(StandardPageFactory(parent=home))
    drain()
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"failed"}
    receiver.answers()
    first, *others = WebhookDelivery.objects.order_by("change_seq")

    response = admin_client.post(
        reverse("webhookendpoint:redeliver", args=[endpoint.pk, first.pk]), follow=True
    )
    drain()

    assert "queued again" in response.content.decode()
    first.refresh_from_db()
    assert first.status == "succeeded"
    assert WebhookDelivery.objects.filter(status="failed").count() == 2

    admin_client.post(reverse("webhookendpoint:redeliver_failed", args=[endpoint.pk]))
    drain()

    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"succeeded"}
    assert len(set(receiver.ids())) == 3


def test_redelivery_to_a_disabled_endpoint_is_refused_with_a_message(admin_client, receiver):
    endpoint = WebhookEndpoint.objects.create(url=receiver.url, active=False)

    response = admin_client.post(
        reverse("webhookendpoint:redeliver_failed", args=[endpoint.pk]), follow=True
    )

    assert response.status_code == 200
    assert "activate it first" in response.content.decode()


def test_a_delivery_of_another_endpoint_cannot_be_redelivered_through_this_one(
    admin_client, receiver, home
):
    mine = WebhookEndpoint.objects.create(url=receiver.url)
    WebhookEndpoint.objects.create(url=receiver.url, events=["published"])
    publish(StandardPageFactory(parent=home))
    theirs = WebhookDelivery.objects.exclude(endpoint=mine).get()

    response = admin_client.post(reverse("webhookendpoint:redeliver", args=[mine.pk, theirs.pk]))

    assert response.status_code == 404


@pytest.mark.parametrize(
    "name", ["index", "add", "deliveries", "rotate_secret", "reveal_secret", "redeliver"]
)
def test_editors_without_the_permission_cannot_reach_webhooks(client, editor, receiver, name):
    endpoint = WebhookEndpoint.objects.create(url=receiver.url)
    args = {"index": [], "add": [], "redeliver": [endpoint.pk, 1]}.get(name, [endpoint.pk])
    client.force_login(editor)

    response = client.post(reverse(f"webhookendpoint:{name}", args=args))

    assert response.status_code in {302, 403}
    if response.status_code == 302:
        assert "/admin/" in response["location"]
        assert reverse(f"webhookendpoint:{name}", args=args) not in response["location"]
    endpoint.refresh_from_db()


def test_the_model_permission_grants_access(client, receiver, db):
    user = UserFactory(groups=["Editors"])
    user.user_permissions.add(
        Permission.objects.get(codename="change_webhookendpoint"),
    )
    endpoint = WebhookEndpoint.objects.create(url=receiver.url)
    client.force_login(user)

    response = client.get(reverse("webhookendpoint:deliveries", args=[endpoint.pk]))

    assert response.status_code == 200

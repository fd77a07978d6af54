"""A webhook endpoint's signing secret is on screen only when someone asks, and that is recorded.

The endpoint's page hides the secret; "Reveal secret" (a POST, behind the webhook permission)
shows it and adds "Signing secret revealed" to the endpoint's history. Right after the endpoint
is created or its secret rotated, the new secret is shown once, so it can be handed over.
"""

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from pipeline.webhooks import actions
from pipeline.webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint(receiver):
    return WebhookEndpoint.objects.create(url=receiver.url, description="Static site build")


def page_of(endpoint) -> str:
    return reverse("webhookendpoint:deliveries", args=[endpoint.pk])


def reveal_url(endpoint) -> str:
    return reverse("webhookendpoint:reveal_secret", args=[endpoint.pk])


def history(client, endpoint) -> str:
    response = client.get(reverse("webhookendpoint:history", args=[endpoint.pk]))
    assert response.status_code == 200
    return response.content.decode()


def reveals_of(endpoint):
    return ModelLogEntry.objects.for_instance(endpoint).filter(action=actions.LOG_REVEALED)


def test_the_endpoint_page_hides_the_signing_secrets(admin_client, endpoint):
    actions.endpoint_secret_rotate(endpoint=endpoint)
    endpoint.refresh_from_db()

    response = admin_client.get(page_of(endpoint))

    assert response.status_code == 200
    html = response.content.decode()
    assert endpoint.secret not in html
    assert endpoint.previous_secret not in html
    assert "whsec_" in html and "(hidden)" in html
    assert f'action="{reveal_url(endpoint)}"' in html


def test_revealing_the_secret_shows_it_and_records_it_in_the_endpoints_history(
    admin_client, superuser, endpoint
):
    response = admin_client.post(reveal_url(endpoint))

    assert response.status_code == 200
    html = response.content.decode()
    assert f"<code data-secret>{endpoint.secret}</code>" in html
    assert "no-store" in response["Cache-Control"]
    [entry] = reveals_of(endpoint)
    assert entry.user == superuser
    shown = history(admin_client, endpoint)
    assert "Signing secret revealed" in shown and superuser.get_username() in shown
    assert endpoint.secret not in shown


def test_revealing_the_secret_needs_a_post(admin_client, endpoint):
    response = admin_client.get(reveal_url(endpoint))

    assert response.status_code == 405
    assert not reveals_of(endpoint).exists()


def test_revealing_the_secret_needs_the_webhook_permission(client, editor, endpoint):
    client.force_login(editor)

    response = client.post(reveal_url(endpoint))

    assert response.status_code in {302, 403}
    assert endpoint.secret not in response.content.decode()
    assert not reveals_of(endpoint).exists()


def test_revealing_the_secret_of_an_unknown_endpoint_is_not_found(admin_client, endpoint):
    response = admin_client.post(reverse("webhookendpoint:reveal_secret", args=[endpoint.pk + 1]))

    assert response.status_code == 404


def test_a_new_endpoint_shows_its_secret_once(admin_client, receiver):
    response = admin_client.post(
        reverse("webhookendpoint:add"),
        {
            "url": receiver.url,
            "description": "Partner portal",
            "events": ["published"],
            "active": "on",
            "max_in_flight": "4",
        },
        follow=True,
    )

    endpoint = WebhookEndpoint.objects.get()
    assert response.redirect_chain[-1][0] == page_of(endpoint)
    assert f"<code data-secret>{endpoint.secret}</code>" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    again = admin_client.get(page_of(endpoint)).content.decode()
    assert endpoint.secret not in again
    assert not reveals_of(endpoint).exists()  # the creation itself is in the history


def test_rotating_shows_the_new_secret_once_and_records_it(admin_client, superuser, endpoint):
    old_secret = endpoint.secret

    response = admin_client.post(
        reverse("webhookendpoint:rotate_secret", args=[endpoint.pk]), follow=True
    )

    endpoint.refresh_from_db()
    html = response.content.decode()
    assert f"<code data-secret>{endpoint.secret}</code>" in html
    assert f"<code data-previous-secret>{old_secret}</code>" in html
    assert endpoint.secret not in admin_client.get(page_of(endpoint)).content.decode()
    entry = ModelLogEntry.objects.for_instance(endpoint).get(action=actions.LOG_ROTATED)
    assert entry.user == superuser
    assert "Signing secret rotated" in history(admin_client, endpoint)

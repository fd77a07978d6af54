"""Anonymous reads are throttled: past the rate, 429 problem+json with Retry-After."""

import pytest
from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from .helpers import assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiny_rates(settings, monkeypatch):
    """Three anonymous and five token requests a minute. DRF copies the rates onto the throttle
    class at import, so the class attribute follows the overridden setting here."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            "anon": "3/minute",
            "user": "5/minute",
            "preview": "4/minute",
            "auth_failure": "30/minute",
        },
    }
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", api_settings.DEFAULT_THROTTLE_RATES)
    cache.clear()


def test_anonymous_callers_past_the_rate_get_a_429_with_retry_after(
    api_client, shared_site, tiny_rates
):
    statuses = [api_client.get("/api/v1/members/").status_code for _ in range(3)]

    response = api_client.get(f"/api/v1/members/{shared_site.nasa.pk}/")

    assert statuses == [200, 200, 200]
    body = assert_problem(response, 429)
    assert 0 < int(response["Retry-After"]) <= 60
    assert "throttled" in body["detail"].lower()
    assert response["Cache-Control"] == "no-store"


def test_errors_count_towards_the_rate(api_client, shared_site, tiny_rates):
    for _ in range(3):
        api_client.get("/api/v1/members/?colour=blue")

    assert_problem(api_client.get("/api/v1/members/"), 429)


def test_token_callers_have_their_own_rate(api_client, member_client, shared_site, tiny_rates):
    for _ in range(3):
        api_client.get("/api/v1/members/")
    assert api_client.get("/api/v1/members/").status_code == 429

    token_statuses = [member_client.get("/api/v1/members/").status_code for _ in range(6)]

    assert token_statuses == [200] * 5 + [429]


def test_each_client_address_has_its_own_allowance(api_client, shared_site, tiny_rates):
    for _ in range(3):
        api_client.get("/api/v1/members/", REMOTE_ADDR="192.0.2.1")

    assert api_client.get("/api/v1/members/", REMOTE_ADDR="192.0.2.1").status_code == 429
    assert api_client.get("/api/v1/members/", REMOTE_ADDR="192.0.2.2").status_code == 200


def test_health_is_not_throttled(api_client, db, tiny_rates):
    statuses = {api_client.get("/api/v1/health/").status_code for _ in range(5)}

    assert statuses == {200}

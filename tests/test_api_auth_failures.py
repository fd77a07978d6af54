"""Failed token authentications are throttled per client address (`auth_failure` rate): past
it, 429 problem+json with Retry-After for every request with credentials from that address,
valid tokens included; successes are not counted; anonymous reads are unaffected."""

import pytest
from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle
from wagtail.models import APIToken

from api import throttling

from .helpers import assert_problem

pytestmark = pytest.mark.django_db

FAILURES_ALLOWED = 5


@pytest.fixture
def failure_rate(settings, monkeypatch):
    """Five failed authentications a minute; everything else effectively unthrottled."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            "anon": "1000/minute",
            "user": "1000/minute",
            "preview": "1000/minute",
            "auth_failure": f"{FAILURES_ALLOWED}/minute",
        },
    }
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", api_settings.DEFAULT_THROTTLE_RATES)
    cache.clear()


def bearer(token: str, address: str = "192.0.2.10") -> APIClient:
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def revoked_token(member_token):
    APIToken.objects.update(revoked_at="2024-01-01T00:00:00Z")
    return member_token


def test_failed_authentications_past_the_rate_get_a_429_with_retry_after(
    revoked_token, failure_rate
):
    """Before: 1,400 requests with a revoked token in 8 s were all 401, none 429."""
    client = bearer(revoked_token)

    statuses = [client.get("/api/v1/members/").status_code for _ in range(FAILURES_ALLOWED + 20)]
    response = client.get("/api/v1/members/")

    assert statuses == [401] * FAILURES_ALLOWED + [429] * 20
    body = assert_problem(response, 429)
    assert "failed authentications" in body["detail"]
    assert 0 < int(response["Retry-After"]) <= 60


def test_every_kind_of_bad_credential_counts(member_token, failure_rate):
    headers = [
        "Bearer wagtail_not-a-real-token-0000000000000000",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        f"Bearer {member_token}x",
        "Bearer x",
    ]
    client = APIClient(REMOTE_ADDR="192.0.2.11")

    statuses = [
        client.get("/api/v1/members/", HTTP_AUTHORIZATION=header).status_code for header in headers
    ]

    assert statuses == [401] * 5
    assert_problem(client.get("/api/v1/members/", HTTP_AUTHORIZATION=headers[0]), 429)


def test_a_blocked_address_is_refused_even_with_a_valid_token(
    member_token, revoked_token, failure_rate
):
    """A guesser must not learn which guess is right from the one answer that is not a 429."""
    for _ in range(FAILURES_ALLOWED):
        bearer(revoked_token).get("/api/v1/members/")
    APIToken.objects.update(revoked_at=None)  # the same token is valid again

    assert_problem(bearer(member_token).get("/api/v1/members/"), 429)


def test_other_addresses_and_anonymous_reads_are_unaffected(
    member_token, revoked_token, failure_rate
):
    for _ in range(FAILURES_ALLOWED + 1):
        bearer(revoked_token).get("/api/v1/members/")
    APIToken.objects.update(revoked_at=None)

    assert bearer(member_token, address="192.0.2.99").get("/api/v1/members/").status_code == 200
    assert APIClient(REMOTE_ADDR="192.0.2.10").get("/api/v1/members/").status_code == 200


def test_successful_authentications_are_not_counted(member_token, failure_rate):
    client = bearer(member_token)

    statuses = {client.get("/api/v1/members/").status_code for _ in range(FAILURES_ALLOWED * 4)}

    assert statuses == {200}


def test_the_block_lifts_when_the_window_has_passed(
    member_token, revoked_token, failure_rate, monkeypatch
):
    now = [1_000_000.0]
    monkeypatch.setattr(throttling, "timer", lambda: now[0])
    for _ in range(FAILURES_ALLOWED):
        bearer(revoked_token).get("/api/v1/members/")
    APIToken.objects.update(revoked_at=None)
    blocked = bearer(member_token).get("/api/v1/members/")

    now[0] += 61
    lifted = bearer(member_token).get("/api/v1/members/")

    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) == 60
    assert lifted.status_code == 200

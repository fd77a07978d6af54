"""The client address behind proxies: `X-Forwarded-For` counts only when a trusted proxy sent it
(TRUSTED_PROXIES), read from the right; throttles and the share-link use log all use it."""

import datetime
import uuid

import pytest
from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from api.checks import trusted_proxies_check
from api.clientip import client_address
from preview import services
from preview.models import ShareLinkUse

from .factories import FAQPageFactory, UserFactory
from .helpers import assert_problem, publish

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"


@pytest.fixture
def tiny_anon_rate(settings, monkeypatch):
    """Three anonymous requests a minute (DRF copies rates onto the class at import)."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "anon": "3/minute",
        },
    }
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", api_settings.DEFAULT_THROTTLE_RATES)
    cache.clear()


def meta(peer: str, forwarded: str | None = None) -> dict:
    return {"REMOTE_ADDR": peer, **({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {})}


@pytest.mark.parametrize(
    ("trusted", "peer", "forwarded", "client", "why"),
    [
        ([], "203.0.113.9", "198.51.100.1", "203.0.113.9", "no trusted proxy: header ignored"),
        (["10.0.0.0/8"], "203.0.113.9", "198.51.100.1", "203.0.113.9", "peer is not a proxy"),
        (["10.0.0.0/8"], PROXY, "198.51.100.1", "198.51.100.1", "one trusted hop"),
        (["10.0.0.0/8"], PROXY, None, PROXY, "trusted peer, no header: the peer"),
        (
            ["10.0.0.0/8"],
            PROXY,
            "1.1.1.1, 198.51.100.1",
            "198.51.100.1",
            "the client's own spoofed entry (left) is never read",
        ),
        (
            ["10.0.0.0/8"],
            PROXY,
            "1.1.1.1, 198.51.100.1, 10.0.0.7",
            "198.51.100.1",
            "rightmost untrusted past two trusted hops",
        ),
        (["10.0.0.0/8"], PROXY, "10.0.0.9, 10.0.0.7", "10.0.0.9", "all trusted: the leftmost"),
        (["10.0.0.0/8"], PROXY, "garbage, 10.0.0.7", "10.0.0.7", "garbage stops the walk"),
        (["10.0.0.0/8"], PROXY, "198.51.100.1:4711", "198.51.100.1", "with a port"),
        (["10.0.0.0/8"], PROXY, "[2001:db8::1]:4711", "2001:db8::1", "IPv6 with a port"),
        (["::1/128"], "::1", "2001:db8::7", "2001:db8::7", "IPv6 proxy"),
        (["127.0.0.1/32"], "::ffff:127.0.0.1", "192.0.2.1", "192.0.2.1", "mapped peer"),
    ],
)
def test_client_address_believes_x_forwarded_for_only_from_trusted_proxies(
    settings, trusted, peer, forwarded, client, why
):
    settings.TRUSTED_PROXIES = trusted

    assert client_address(meta(peer, forwarded)) == client, why


def test_spoofed_x_forwarded_for_never_resets_the_anonymous_limit(
    api_client, shared_site, tiny_anon_rate
):
    """Before: DRF's get_ident used the whole header as the identity, so each random value was
    a fresh allowance (300 of 300 spoofed requests answered 200 after the limit)."""
    for _ in range(3):
        assert api_client.get("/api/v1/members/").status_code == 200

    statuses = [
        api_client.get(
            "/api/v1/members/", HTTP_X_FORWARDED_FOR=f"198.51.{n // 250}.{n % 250 + 1}"
        ).status_code
        for n in range(300)
    ]

    assert statuses.count(200) == 0
    assert statuses.count(429) == 300


def test_spoofed_revalidations_never_reset_the_anonymous_limit(
    api_client, shared_site, tiny_anon_rate, settings
):
    settings.API_ORIGIN_CACHE_SECONDS = 60
    url = f"/api/v1/members/{shared_site.nasa.pk}/"
    etag = api_client.get(url)["ETag"]
    api_client.get(url, HTTP_IF_NONE_MATCH=etag)  # remembered by the fast path
    api_client.get(url, HTTP_IF_NONE_MATCH=etag)

    spoofed = api_client.get(url, HTTP_IF_NONE_MATCH=etag, HTTP_X_FORWARDED_FOR="192.0.2.44")

    assert_problem(spoofed, 429)


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_allowance(
    shared_site, tiny_anon_rate, settings
):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxy = APIClient(REMOTE_ADDR=PROXY)

    def get(chain: str) -> int:
        return proxy.get("/api/v1/members/", HTTP_X_FORWARDED_FOR=chain).status_code

    first = [get("1.2.3.4, 198.51.100.1, 10.0.0.7") for _ in range(3)]
    # The same client behind the same hops, whatever it writes on the left: throttled.
    spoofed_left = get(f"{uuid.uuid4().int % 250}.9.9.9, 198.51.100.1, 10.0.0.7")
    other_client = get("198.51.100.2, 10.0.0.7")

    assert first == [200, 200, 200]
    assert spoofed_left == 429
    assert other_client == 200


def test_the_share_link_use_log_records_the_forwarded_client_of_a_trusted_proxy(
    home, settings, api_client
):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    editor = UserFactory(username="sharer", groups=["Editors"])
    page = publish(FAQPageFactory(parent=home))
    link, token = services.share_link_create(
        page=page,
        revision=page.latest_revision,
        user=editor,
        expires_in=datetime.timedelta(hours=1),
    )

    APIClient(REMOTE_ADDR=PROXY).get(
        "/api/v1/preview/", {"token": token}, HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.23"
    )
    APIClient(REMOTE_ADDR="203.0.113.5").get(
        "/api/v1/preview/", {"token": token}, HTTP_X_FORWARDED_FOR="198.51.100.99"
    )

    assert list(
        ShareLinkUse.objects.filter(link=link).order_by("pk").values_list("ip", flat=True)
    ) == ["198.51.100.23", "203.0.113.5"]


def test_a_trusted_proxy_that_is_not_a_network_fails_the_system_check(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "proxy.internal"]

    assert [error.id for error in trusted_proxies_check()] == ["api.E001"]

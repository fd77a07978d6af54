"""Throttle counters are atomic in Redis: concurrent clients on two app servers (real gunicorn
processes sharing one Redis) never get more than the rate through, and a spoofed
`X-Forwarded-For` changes nothing (dev settings: no trusted proxy)."""

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from .gunicorn_server import app_server, status_of

REDIS_URL = "redis://127.0.0.1:6379/4"
RATE = 600
CLIENTS = 8
REQUESTS = 800
# Every check is one Lua script run by Redis, so the count is exact: no margin.
MARGIN = 0
# An anonymous request throttled before any query (a bad cursor is a 400 after the throttle).
URL = "/api/v1/changes/?cursor=not-a-cursor"


@pytest.fixture
def redis_prefix():
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError as error:  # pragma: no cover - the machine runs Redis
        pytest.fail(f"Redis is not reachable at {REDIS_URL}: {error}")
    prefix = f"test-throttle-{uuid.uuid4().hex}"
    yield prefix
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def two_app_servers(tmp_path, redis_prefix):
    env = {
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": redis_prefix,
        "API_ANON_RATE": f"{RATE}/minute",
        "LOG_LEVEL": "WARNING",
    }
    with (
        app_server(tmp_path, name="a", env=env, workers=2, threads=2) as a,
        app_server(tmp_path, name="b", env=env, workers=2, threads=2) as b,
    ):
        yield a, b


@pytest.mark.slow
def test_concurrent_clients_on_two_app_servers_never_overshoot_the_rate(two_app_servers):
    """Before (DRF's get-then-set history): 662 of 800 let through on Redis."""
    servers = two_app_servers

    def client(number: int) -> list[int]:
        server = servers[number % 2]
        return [status_of(server.url + URL) for _ in range(REQUESTS // CLIENTS)]

    with ThreadPoolExecutor(CLIENTS) as pool:
        statuses = [status for batch in pool.map(client, range(CLIENTS)) for status in batch]

    let_through = sum(1 for status in statuses if status != 429)
    assert set(statuses) <= {400, 429}
    assert RATE <= let_through <= RATE + MARGIN, let_through

    spoofed = [
        status_of(servers[n % 2].url + URL, {"X-Forwarded-For": f"198.51.{n // 250}.{n % 250 + 1}"})
        for n in range(300)
    ]
    assert spoofed.count(429) == 300


@pytest.mark.django_db
def test_on_redis_retry_after_is_when_the_oldest_counted_request_leaves_the_window(
    settings, monkeypatch, redis_prefix, api_client, home
):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": redis_prefix,
        }
    }
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "anon": "3/minute",
        },
    }
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", api_settings.DEFAULT_THROTTLE_RATES)

    statuses = [api_client.get(URL).status_code for _ in range(3)]
    refused = api_client.get(URL)

    assert statuses == [400, 400, 400]
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert list(redis.Redis.from_url(REDIS_URL).scan_iter(f"{redis_prefix}:*api:throttle:1:anon:*"))

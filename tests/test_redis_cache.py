"""The production cache (Redis, shared by every app server) carries the origin cache.

Runs against the real Redis on 127.0.0.1:6379 (`REDIS_URL` overrides); each test uses its own
key prefix and removes its keys.
"""

import os
import uuid

import pytest
import redis

from .factories import MemberProfilePageFactory, MembersIndexPageFactory

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
LIST = "/api/v1/members/?limit=5"


@pytest.fixture
def redis_cache(settings):
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError as error:  # pragma: no cover - the machine runs Redis
        pytest.fail(f"Redis is not reachable at {REDIS_URL}: {error}")
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    settings.API_ORIGIN_CACHE_SECONDS = 60
    yield client, prefix
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def test_lists_are_cached_in_redis_and_a_publish_is_seen_at_once(redis_cache, home, api_client):
    client, prefix = redis_cache
    index = MembersIndexPageFactory(parent=home)
    index.save_revision().publish()
    member = MemberProfilePageFactory(parent=index, title="Agency A")
    member.save_revision().publish()

    first = api_client.get(LIST)
    assert [item["title"] for item in first.json()["results"]] == ["Agency A"]
    assert list(client.scan_iter(f"{prefix}:*")), "the list body should be stored in Redis"

    member.title = "Agency Alpha"
    member.save_revision().publish()
    second = api_client.get(LIST)

    assert [item["title"] for item in second.json()["results"]] == ["Agency Alpha"]
    assert second["ETag"] != first["ETag"]

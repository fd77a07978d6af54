"""Rate limits, counted atomically in the shared cache, per client address or per token user.

DRF's throttles keep each caller's request times as a list they read, trim and write back (a
get, then a set): two app servers, or two threads, that read the same list both let their
request through, and concurrent writers overwrite each other's entries, so a burst overshoots
the rate (800 quick requests from 8 clients against 600/minute: 662 let through in production
settings, all 800 in tests/test_throttle_concurrency.py). Here the whole check is one atomic
step: on Redis a Lua script (drop times older than the period, count, add this one if under the
rate), on the local-memory cache the same steps under a lock, which is atomic as far as that
cache is shared (one process). Another cache backend would be atomic only within a process.

The semantics are DRF's: at most N requests in any period (a sliding window), refused requests
do not count, and the caller is told when the oldest counted request leaves the window
(`Retry-After`). Clients are told apart by `api.clientip.client_address`, never by a raw
`X-Forwarded-For` (DRF's `get_ident` believes it whole unless NUM_PROXIES is set).

The classes keep DRF's names, scopes and settings (`DEFAULT_THROTTLE_RATES`), so configuration
and `Retry-After` handling stay DRF's.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework import throttling

from .clientip import client_address

# KEYS[1]: the caller's sorted set of request times (ms). ARGV: limit, period (ms), a unique
# member, 1 to count this request (0 only asks). Returns {allowed, ms to wait}. The clock is
# Redis's own, so app servers with skewed clocks still share one window.
SLIDING_WINDOW_LUA = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local limit = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - period)
if redis.call('ZCARD', KEYS[1]) < limit then
  if ARGV[4] == '1' then
    redis.call('ZADD', KEYS[1], now, ARGV[3])
    redis.call('PEXPIRE', KEYS[1], period)
  end
  return {1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, tonumber(oldest[2]) + period - now}
"""
SLIDING_WINDOW_SHA = hashlib.sha1(SLIDING_WINDOW_LUA.encode()).hexdigest()  # noqa: S324 (Redis's id)

_local_lock = threading.Lock()
timer = time.time  # the local-memory path's clock (DRF's throttles have the same hook)


def window_take(key: str, *, limit: int, period: float, count: bool = True) -> tuple[bool, float]:
    """Admit one request at `key` if fewer than `limit` were admitted in the last `period`
    seconds, and count it (unless `count` is False: only ask). Return whether it is admitted
    and, if not, how many seconds until it would be."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        return _redis_take(backend, key, limit=limit, period=period, count=count)
    return _local_take(backend, key, limit=limit, period=period, count=count)


def _redis_take(backend: RedisCache, key: str, *, limit, period, count) -> tuple[bool, float]:
    key = backend.make_and_validate_key(key)
    # The cache's own client (Django has no public accessor): same server, same key prefix.
    client = backend._cache.get_client(key, write=True)
    args = (limit, max(int(period * 1000), 1), secrets.token_hex(8), 1 if count else 0)
    try:
        allowed, wait_ms = client.evalsha(SLIDING_WINDOW_SHA, 1, key, *args)
    except backend._cache._lib.exceptions.NoScriptError:
        allowed, wait_ms = client.eval(SLIDING_WINDOW_LUA, 1, key, *args)
    return bool(allowed), max(int(wait_ms), 0) / 1000


def _local_take(backend, key: str, *, limit, period, count) -> tuple[bool, float]:
    with _local_lock:
        now = timer()
        history = [moment for moment in backend.get(key, []) if moment > now - period]
        if len(history) < limit:
            if count:
                backend.set(key, [*history, now], period)
            return True, 0.0
        return False, history[0] + period - now


# Not DRF's `throttle_<scope>_<ident>`: its history lists under those names (left by a running
# version of the project) are not sorted sets, and Redis would refuse the script on them.
CACHE_FORMAT = "api:throttle:1:%(scope)s:%(ident)s"


class AtomicRateMixin:
    """`allow_request` and `wait` of a SimpleRateThrottle, on `window_take`."""

    cache_format = CACHE_FORMAT
    _wait: float | None = None

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        allowed, self._wait = window_take(key, limit=self.num_requests, period=self.duration)
        return allowed

    def wait(self) -> float | None:
        return self._wait

    def get_ident(self, request) -> str:
        return client_address(request.META)


class AnonRateThrottle(AtomicRateMixin, throttling.AnonRateThrottle):
    """Callers without a token, per client address (`anon` rate). Also usable on a plain
    Django request, before DRF (see `api.middleware`)."""

    def get_cache_key(self, request, view) -> str | None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class UserRateThrottle(AtomicRateMixin, throttling.UserRateThrottle):
    """Token callers, per token user (`user` rate); anonymous callers have their own."""

    def get_cache_key(self, request, view) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": user.pk}


class PreviewRateThrottle(AtomicRateMixin, throttling.SimpleRateThrottle):
    """The preview endpoint, per client address (`preview` rate)."""

    scope = "preview"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class AuthFailureThrottle(throttling.SimpleRateThrottle):
    """Failed authentications per client address (`auth_failure` rate).

    Only failures count. Once an address reaches the rate, every request from it that carries
    credentials is refused until the window frees up, valid ones too: otherwise a guesser would
    be told which guess is right by the one answer that is not a 429.
    """

    scope = "auth_failure"
    cache_format = CACHE_FORMAT

    def get_cache_key(self, request, view=None) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_address(request.META)}

    def retry_after(self, request) -> float | None:
        """Return the seconds this address must wait before authenticating again, or None."""
        if self.rate is None:
            return None
        allowed, wait = window_take(
            self.get_cache_key(request), limit=self.num_requests, period=self.duration, count=False
        )
        return None if allowed else max(wait, 1.0)

    def failure(self, request) -> None:
        """Count a failed authentication from this address."""
        if self.rate is not None:
            window_take(self.get_cache_key(request), limit=self.num_requests, period=self.duration)

"""Send one webhook request, refusing to talk to an address the SSRF rule forbids.

The check runs on the socket's peer address once connected (`peer_check`, the same rule as
when the URL was saved: `targets.address_check`, which judges an address by what it reaches), so
a DNS answer that changes between the check and the connection (DNS rebinding) cannot slip
through. Redirects are not
followed (a 3xx is a failed attempt), environment proxies and .netrc are ignored.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass, field

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from .targets import TargetRefused, address_check

USER_AGENT = "isecg-cms-webhooks/1.0"


def peer_check(sock) -> None:
    """Raise `TargetRefused` unless the address the socket really connected to is allowed."""
    address_check(sock.getpeername()[0].split("%", 1)[0])


class _CheckedConnectionMixin:
    def _new_conn(self):
        sock = super()._new_conn()
        try:
            peer_check(sock)
        except TargetRefused:
            sock.close()
            raise
        return sock


class _CheckedHTTPConnection(_CheckedConnectionMixin, HTTPConnection):
    pass


class _CheckedHTTPSConnection(_CheckedConnectionMixin, HTTPSConnection):
    pass


class _CheckedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


class _CheckedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _CheckedHTTPConnectionPool,
            "https": _CheckedHTTPSConnectionPool,
        }


_local = threading.local()


def _session() -> requests.Session:
    """One session per thread: connections to an endpoint are reused between deliveries."""
    session = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        session.trust_env = False
        session.mount("http://", _CheckedAdapter())
        session.mount("https://", _CheckedAdapter())
        _local.session = session
    return session


@dataclass
class Answer:
    """What came back: a status and the start of the body, or the error that stopped it."""

    status_code: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    excerpt: str = ""
    error: str = ""
    duration_ms: int = 0


def post(url: str, *, body: bytes, headers: dict[str, str], timeout: float, excerpt_bytes: int):
    """POST a webhook and return the `Answer`; never raises for network trouble."""
    started = time.monotonic()
    answer = Answer()
    try:
        if not url.startswith(("http://", "https://")):
            raise TargetRefused("Only http:// and https:// URLs are called.")
        session = _session()
        request = session.prepare_request(
            requests.Request(
                "POST",
                url,
                data=body,
                headers={"content-type": "application/json", "user-agent": USER_AGENT, **headers},
            )
        )
        # The adapter, not the session: no redirect handling, which would read a 3xx body whole.
        response = session.get_adapter(url).send(request, stream=True, timeout=timeout)
        with closing(response):
            answer.status_code = response.status_code
            answer.headers = response.headers
            raw = response.raw.read(excerpt_bytes, decode_content=True) or b""
            answer.excerpt = raw.decode("utf-8", errors="replace")
    except TargetRefused as refused:
        answer.error = f"Refused: {refused}"
    except requests.Timeout:
        answer.error = f"Timed out after {timeout:g} s."
    except requests.ConnectionError as error:
        answer.error = f"Could not connect: {_reason(error)}"
    except requests.RequestException as error:
        answer.error = f"Request failed: {_reason(error)}"
    answer.duration_ms = round((time.monotonic() - started) * 1000)
    return answer


def _reason(error: Exception) -> str:
    """The innermost cause, which names the real problem (refused, reset, DNS)."""
    while error.__context__ is not None and error.__context__ is not error:
        error = error.__context__
    return str(error)[:250] or type(error).__name__

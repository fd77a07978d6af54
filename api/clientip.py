"""Who the client is, by address: the one answer every throttle and log uses.

Behind a reverse proxy or a CDN, the socket's peer (`REMOTE_ADDR`) is the proxy, and the client
is named in `X-Forwarded-For`, which each proxy extends with the address it received the request
from. Anyone can send that header, so it is believed only as far as the proxies that wrote it
are trusted: `TRUSTED_PROXIES` lists their networks (none by default, so the header is ignored).
Read from the right, each trusted hop vouches for the address before it; the first address not
in a trusted network is the client. A client's own `X-Forwarded-For` is thus only ever the
part left of what trusted proxies appended, which is never read.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_address(meta: Mapping[str, str]) -> str:
    """Return the client's address for a request's META (or a WSGI environ)."""
    peer = meta.get("REMOTE_ADDR") or ""
    trusted = trusted_networks()
    if not trusted or not _in(peer, trusted):
        return peer
    client = peer
    for hop in reversed(meta.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _address(hop)
        if address is None:
            break  # not an address: nothing left of it can be vouched for
        client = str(address)
        if not _in(client, trusted):
            break
    return client


def trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(settings.TRUSTED_PROXIES))


@lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(cidr.strip(), strict=False) for cidr in cidrs)


def _in(address: str, networks: tuple[Network, ...]) -> bool:
    parsed = _address(address)
    return parsed is not None and any(parsed in network for network in networks)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """Parse one X-Forwarded-For entry: `1.2.3.4`, `2001:db8::1`, also with a port
    (`1.2.3.4:5678`, `[2001:db8::1]:5678`) as some proxies write it."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address

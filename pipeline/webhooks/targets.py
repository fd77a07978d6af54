"""Which webhook targets may be called: public http(s) addresses only, unless allowed (SSRF).

A webhook URL is typed by an admin user but requested by the server, from inside its network.
Without this check it reaches the cloud metadata service, the database or an internal admin.
The URL is checked when it is saved and, since DNS can change, again on every delivery against
the address the request really connected to (see `transport`).
"""

from __future__ import annotations

import ipaddress
import socket
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Cloud instance metadata services: never a webhook target, whatever the settings allow.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(address)
    for address in ("169.254.169.254", "fd00:ec2::254", "169.254.170.2", "100.100.100.200")
)


class TargetRefused(Exception):
    """The URL is not one the server may call; the message says why, for the admin user."""


def url_check(url: str) -> list[Address]:
    """Check a webhook URL: http(s), a host, and every address it resolves to allowed.

    Return the addresses; raise `TargetRefused` saying what is wrong.
    """
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise TargetRefused("Enter an http:// or https:// URL.")
    if not parts.hostname:
        raise TargetRefused("Enter a URL with a host name.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise TargetRefused("Enter a valid port number.") from None
    addresses = host_resolve(parts.hostname, port)
    for address in addresses:
        address_check(address)
    return addresses


def host_resolve(host: str, port: int) -> list[Address]:
    """Return every address a host name resolves to."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise TargetRefused(f"The host {host!r} does not resolve to an address.") from None
    return sorted({ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos}, key=str)


def address_check(address: Address | str) -> None:
    """Raise `TargetRefused` unless the server may connect to this address."""
    address = ipaddress.ip_address(address)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in METADATA_ADDRESSES:
        raise TargetRefused(f"{address} is a cloud metadata address; webhooks may not call it.")
    kind = _non_public_kind(address)
    if kind and not any(address in network for network in _allowed_networks()):
        raise TargetRefused(
            f"The URL resolves to {address}, a {kind} address; webhooks may only call public "
            "addresses (WEBHOOK_ALLOWED_PRIVATE_NETWORKS lists exceptions)."
        )


def _non_public_kind(address: Address) -> str | None:
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address.is_unspecified:
        return "unspecified"
    if address.is_private:
        return "private"
    if address.is_reserved or not address.is_global:
        return "reserved"
    return None


def _allowed_networks():
    return _networks(tuple(settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS))


@lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]):
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)

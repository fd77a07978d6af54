"""Which webhook targets may be called: public http(s) addresses only, unless allowed (SSRF).

A webhook URL is typed by an admin user but requested by the server, from inside its network.
Without this check it reaches the cloud metadata service, the database or an internal admin.
The URL is checked when it is saved and, since DNS can change, again on every delivery against
the address the request really connected to (see `transport`).

An address is judged by what a connection to it really reaches. Some IPv6 addresses carry an
IPv4 address that a relay or translator delivers the connection to: IPv4-mapped (::ffff:0:0/96)
and IPv4-compatible (::/96, deprecated) addresses, 6to4 (2002::/16), Teredo (2001::/32, whose
client address is the inverted last 32 bits) and NAT64 (64:ff9b::/96). Those are judged by the
IPv4 address they embed: `http://[2002:7f00:1::]/` is loopback, and NAT64 of a public address
(what DNS64 answers on an IPv6-only network) is public. The local-use NAT64 prefix
(64:ff9b:1::/48) reaches whatever a local translator is set up to reach, with one of RFC 6052's
layouts: it is refused like a private network unless allowed, and never when any layout embeds a
metadata address. Deprecated site-local (fec0::/10) addresses are refused like private ones.
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

# Translation mechanisms whose IPv6 addresses embed the IPv4 address a connection reaches.
IPV4_MAPPED = ipaddress.ip_network("::ffff:0:0/96")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
SIX_TO_FOUR = ipaddress.ip_network("2002::/16")
TEREDO = ipaddress.ip_network("2001::/32")
NAT64 = ipaddress.ip_network("64:ff9b::/96")
NAT64_LOCAL_USE = ipaddress.ip_network("64:ff9b:1::/48")
# Judged by the IPv4 address they embed (the local-use NAT64 prefix is judged as itself).
TRANSLATION_NETWORKS = (IPV4_MAPPED, IPV4_COMPATIBLE, SIX_TO_FOUR, TEREDO, NAT64)
# RFC 6052: where each prefix length within a /48 puts the IPv4 address (bytes; 8 is skipped).
RFC6052_LAYOUTS = {48: (6, 7, 9, 10), 56: (7, 9, 10, 11), 64: (9, 10, 11, 12), 96: (12, 13, 14, 15)}


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
    if any(candidate in METADATA_ADDRESSES for candidate in _local_nat64_candidates(address)):
        raise TargetRefused(
            f"The URL resolves to {address}, a local NAT64 address that may reach a cloud "
            "metadata address; webhooks may not call it."
        )
    for reached, mechanism in reached_addresses(address):
        via = f"{address}, which reaches {reached} ({mechanism})" if mechanism else str(address)
        if reached in METADATA_ADDRESSES:
            raise TargetRefused(
                f"The URL resolves to {via}, a cloud metadata address; webhooks may not call it."
            )
        kind = _non_public_kind(reached)
        if kind and not any(reached in network for network in _allowed_networks()):
            raise TargetRefused(
                f"The URL resolves to {via}, a {kind} address; webhooks may only call public "
                "addresses (WEBHOOK_ALLOWED_PRIVATE_NETWORKS lists exceptions)."
            )


def reached_addresses(address: Address) -> list[tuple[Address, str | None]]:
    """Return the addresses a connection to `address` really reaches, each with the mechanism
    that takes it there (None: the address itself)."""
    if isinstance(address, ipaddress.IPv4Address):
        return [(address, None)]
    packed = address.packed
    if address in IPV4_MAPPED:
        return [(address.ipv4_mapped, "IPv4-mapped")]
    if address in IPV4_COMPATIBLE and int(address) > 1:  # :: and ::1 are IPv6's own
        return [(ipaddress.IPv4Address(packed[12:]), "IPv4-compatible")]
    if address in SIX_TO_FOUR:
        return [(address.sixtofour, "6to4")]
    if address in TEREDO:
        return [(address.teredo[1], "Teredo client")]
    if address in NAT64:
        return [(ipaddress.IPv4Address(packed[12:]), "NAT64")]
    return [(address, None)]


def _local_nat64_candidates(address: Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses a local-use NAT64 address embeds, one per RFC 6052 layout."""
    if not isinstance(address, ipaddress.IPv6Address) or address not in NAT64_LOCAL_USE:
        return []
    packed = address.packed
    return [
        ipaddress.IPv4Address(bytes(packed[i] for i in layout))
        for layout in RFC6052_LAYOUTS.values()
    ]


def _non_public_kind(address: Address) -> str | None:
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if isinstance(address, ipaddress.IPv6Address) and address.is_site_local:
        return "site-local"
    if address in NAT64_LOCAL_USE:
        return "local-use NAT64"
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

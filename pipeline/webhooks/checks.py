"""System checks: webhook settings that would silently break delivery fail `manage.py check`."""

import ipaddress

from django.conf import settings
from django.core import checks

from .targets import METADATA_ADDRESSES, TRANSLATION_NETWORKS

IPV6_OWN = ipaddress.ip_network("::/127")  # :: and ::1, inside ::/96 but not IPv4-compatible


@checks.register()
def webhook_settings_check(app_configs=None, **kwargs):
    errors = []
    for cidr in settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS:
        try:
            network = ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            errors.append(
                checks.Error(
                    f"WEBHOOK_ALLOWED_PRIVATE_NETWORKS has {cidr!r}, which is not a network.",
                    hint="List CIDRs such as 10.0.0.0/8 or 127.0.0.1/32, comma-separated.",
                    id="webhooks.E001",
                )
            )
            continue
        errors.extend(_allowed_network_warnings(cidr, network))
    if settings.WEBHOOK_LEASE_SECONDS <= settings.WEBHOOK_TIMEOUT_SECONDS:
        errors.append(
            checks.Warning(
                "WEBHOOK_LEASE_SECONDS is not longer than WEBHOOK_TIMEOUT_SECONDS: a slow "
                "receiver's delivery could be sent again while the first request is still out.",
                hint="Make the lease a good deal longer than the timeout (default 60 s vs 10 s).",
                id="webhooks.W001",
            )
        )
    backend = settings.TASKS.get("default", {}).get("BACKEND", "")
    if backend.endswith("ImmediateBackend"):
        errors.append(
            checks.Warning(
                "The task backend runs tasks immediately: webhooks would be sent inside the "
                "editor's request.",
                hint="Use django_tasks_db.DatabaseBackend (the default) or a queue backend.",
                id="webhooks.W002",
            )
        )
    return errors


def _allowed_network_warnings(cidr: str, network) -> list[checks.Warning]:
    """An allowed network that cannot allow what it seems to: one of translation addresses
    (judged by the IPv4 address they embed), or one holding a metadata address (never allowed)."""
    warnings = []
    if _embeds_ipv4(network):
        warnings.append(
            checks.Warning(
                f"WEBHOOK_ALLOWED_PRIVATE_NETWORKS has {cidr}, a range of translation addresses "
                "(IPv4-mapped, 6to4, Teredo or NAT64): they are judged by the IPv4 address they "
                "embed, so allowing the IPv6 range allows nothing.",
                hint="List the IPv4 network the targets are in instead, e.g. 10.0.0.0/8.",
                id="webhooks.W003",
            )
        )
    if any(address in network for address in METADATA_ADDRESSES):
        warnings.append(
            checks.Warning(
                f"WEBHOOK_ALLOWED_PRIVATE_NETWORKS has {cidr}, which holds a cloud metadata "
                "address: that address stays refused.",
                hint="Narrow the network if you meant to allow a neighbour of it.",
                id="webhooks.W004",
            )
        )
    return warnings


def _embeds_ipv4(network) -> bool:
    if network.version != 6 or network.subnet_of(IPV6_OWN):
        return False
    return any(network.subnet_of(t) for t in TRANSLATION_NETWORKS if t.version == 6)

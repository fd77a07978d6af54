"""System checks: webhook settings that would silently break delivery fail `manage.py check`."""

import ipaddress

from django.conf import settings
from django.core import checks


@checks.register()
def webhook_settings_check(app_configs=None, **kwargs):
    errors = []
    for cidr in settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS:
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            errors.append(
                checks.Error(
                    f"WEBHOOK_ALLOWED_PRIVATE_NETWORKS has {cidr!r}, which is not a network.",
                    hint="List CIDRs such as 10.0.0.0/8 or 127.0.0.1/32, comma-separated.",
                    id="webhooks.E001",
                )
            )
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

"""System checks: API settings that would silently misbehave fail `manage.py check`."""

import ipaddress

from django.conf import settings
from django.core import checks


@checks.register()
def trusted_proxies_check(app_configs=None, **kwargs):
    errors = []
    for cidr in settings.TRUSTED_PROXIES:
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            errors.append(
                checks.Error(
                    f"TRUSTED_PROXIES has {cidr!r}, which is not a network.",
                    hint="The proxies' CIDRs, comma-separated, e.g. 10.0.0.0/8,192.0.2.7/32.",
                    id="api.E001",
                )
            )
    return errors

"""A frontend-cache backend for Varnish (FRONTEND_CACHE_BACKEND=varnish): BAN paths, PURGE the rest.

Wagtail's HTTPBackend sends PURGE for each URL, which drops exactly that URL. But a publish
changes every query-string variant of a list (`/api/v1/members/?country=US&limit=5`) and of a
detail (`?fields=title`), and no purge list can name them all. So for a URL without a query,
this backend sends `BAN <path>`, which deploy/varnish/cms.vcl turns into a ban of the path
with any query string or none; a URL with a query (`pages/resolve/?path=...`) is still PURGEd
exactly. The VCL accepts both only from its `purgers` ACL.

Why a ban by path rather than a purge of a prefix marker: BAN is the method Varnish has for
"everything matching", the VCL can validate the path before building the ban expression, and
the bans test only object headers, so Varnish's ban lurker clears them in the background.
"""

from __future__ import annotations

import logging
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit, urlunsplit
from urllib.request import Request, urlopen

from wagtail import __version__
from wagtail.contrib.frontend_cache.backends import HTTPBackend

logger = logging.getLogger("wagtail.frontendcache")


class BanRequest(Request):
    def get_method(self) -> str:
        return "BAN"


class VarnishBackend(HTTPBackend):
    """HTTPBackend that BANs query-less URLs (with all their query variants)."""

    def purge(self, url: str) -> None:
        if urlsplit(url).query:
            super().purge(url)
        else:
            self.ban(url)

    def ban(self, url: str) -> None:
        """Ban the URL's path with any query string (see deploy/varnish/cms.vcl)."""
        parsed = urlsplit(url)
        host = parsed.hostname + (f":{parsed.port}" if parsed.port else "")
        request = BanRequest(
            url=urlunsplit([self.cache_scheme, self.cache_netloc, parsed.path, "", ""]),
            headers={"Host": host, "User-Agent": "Wagtail-frontendcache/" + __version__},
        )
        try:
            urlopen(request, timeout=10)  # noqa: S310 (the configured cache's own URL)
        except HTTPError as error:
            logger.error(
                "Couldn't ban '%s' in Varnish. HTTPError: %d %s", url, error.code, error.reason
            )
        except URLError as error:
            logger.error("Couldn't ban '%s' in Varnish. URLError: %s", url, error.reason)

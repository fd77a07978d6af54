"""Gunicorn's access log as the project needs it (configured in gunicorn.conf.py).

- Preview tokens are redacted (`preview.logging`): from every atom of the access log (request
  line, query string, Referer...) and from the error log, which names the URI of a request that
  failed. They grant a draft to whoever reads them.
- The client address (`%(h)s`) is the one throttling uses (`api.clientip.client_address`):
  the peer, or the client a trusted proxy names in X-Forwarded-For.
"""

from gunicorn.glogging import Logger

from api.clientip import client_address
from preview.logging import RedactTokens, redact


class RedactingGunicornLogger(Logger):
    """Gunicorn's logger, with tokens redacted and the client address resolved."""

    def setup(self, cfg):
        super().setup(cfg)
        if not any(isinstance(f, RedactTokens) for f in self.error_log.filters):
            self.error_log.addFilter(RedactTokens())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["h"] = client_address(environ) or "-"
        return {
            key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()
        }

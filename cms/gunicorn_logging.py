"""Gunicorn's access log as the project needs it (configured in gunicorn.conf.py).

- Preview tokens are redacted from the request line, query string and Referer
  (`preview.logging.redact`): they grant a draft to whoever reads them.
- The client address (`%(h)s`) is the one throttling uses (`api.clientip.client_address`):
  the peer, or the client a trusted proxy names in X-Forwarded-For.
"""

from gunicorn.glogging import Logger

from api.clientip import client_address
from preview.logging import redact


class RedactingGunicornLogger(Logger):
    """Gunicorn's logger, with tokens redacted and the client address resolved."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["h"] = client_address(environ) or "-"
        return {
            key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()
        }

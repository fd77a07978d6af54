"""Gunicorn's access log without preview tokens (configured in gunicorn.conf.py)."""

from gunicorn.glogging import Logger

from .logging import redact


class RedactingGunicornLogger(Logger):
    """Gunicorn's logger, with the request line, query string and Referer redacted."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()
        }

"""Gunicorn settings read from the working directory: the project's access log (preview tokens
redacted, the client address as throttling sees it)."""

logger_class = "cms.gunicorn_logging.RedactingGunicornLogger"

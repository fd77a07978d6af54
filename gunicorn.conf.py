"""Gunicorn settings read from the working directory: redact preview tokens in access logs."""

logger_class = "preview.gunicorn_logging.RedactingGunicornLogger"

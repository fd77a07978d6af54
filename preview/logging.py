"""Keep preview tokens out of logs: they grant a draft to whoever holds them until they expire.

`RedactTokens` is a logging filter (see LOGGING in cms.settings.base); gunicorn's access log
uses `cms.gunicorn_logging.RedactingGunicornLogger` (gunicorn.conf.py).
"""

import logging
import re

REDACTED = "[redacted]"
# `token=...` in a query string, also percent-encoded (`token%3D...`) inside a logged Referer.
TOKEN_RE = re.compile(r"(?i)((?:preview_)?token(?:=|%3D))[^&\s\"'#;]+")


def redact(text: str) -> str:
    """Return the text with every `token=` value replaced by `[redacted]`."""
    return TOKEN_RE.sub(rf"\g<1>{REDACTED}", text)


class RedactTokens(logging.Filter):
    """Rewrite a record's message without the token values it would print."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True

"""Keep preview tokens out of logs: they grant a draft to whoever holds them until they expire.

`RedactTokens` is a logging filter (see LOGGING in cms.settings.base); gunicorn's access and
error logs use `cms.gunicorn_logging.RedactingGunicornLogger` (gunicorn.conf.py).

Logs print URLs as they arrived, still encoded, while the preview endpoint reads
`request.GET["token"]`, after decoding: `?tok%65n=...` is the token to it. So a parameter is
redacted when its name, once percent-decoded, ends in `token` in any letter case: every
encoding of each letter (`%74`, `%54`, and `%2574` and so on inside a URL that was itself
encoded, as in a Referer's `?next=`), and the `=` that ends the name raw or encoded. That is a
superset of what the endpoint reads (exactly `token`), so nothing it accepts is ever printed.
The value is replaced up to the next `&`, whitespace, quote or `#`, whatever its encoding.
"""

import logging
import re

REDACTED = "[redacted]"


def _any_encoding(char: str) -> str:
    """A pattern for one character of a parameter name: as is, or percent-encoded (also
    repeatedly: `%25` encodes the `%`), in either letter case."""
    codes = {f"{ord(char.lower()):02X}", f"{ord(char.upper()):02X}"}
    return f"(?:{re.escape(char)}|%(?:25)*(?:{'|'.join(sorted(codes))}))"


TOKEN_RE = re.compile(
    "(?i)(" + "".join(_any_encoding(c) for c in "token") + r"(?:=|%(?:25)*3D))[^&\s\"'#]+"
)


def redact(text: str) -> str:
    """Return the text with every token parameter's value replaced by `[redacted]`."""
    return TOKEN_RE.sub(rf"\g<1>{REDACTED}", text)


class RedactTokens(logging.Filter):
    """Rewrite a record's message, and its traceback, without the token values they print."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True

"""Query parameters: every endpoint declares what it accepts; anything else is a 400."""

import base64
import re
from datetime import UTC, datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .errors import BadRequest

MAX_LIMIT = 100
DEFAULT_LIMIT = 20
# Ids, offsets and version numbers fit a 32-bit integer column; anything larger would overflow
# the database driver (a 500) instead of simply matching nothing.
MAX_INT = 2**31 - 1


def reject_unknown(request, allowed: set[str]) -> None:
    """Refuse parameters the endpoint does not declare, and any given more than once."""
    unknown = sorted(set(request.GET) - allowed)
    if unknown:
        raise BadRequest(
            f"Unknown query parameter {', '.join(repr(u) for u in unknown)}; "
            f"this endpoint accepts: {', '.join(sorted(allowed))}."
        )
    repeated = sorted(name for name, values in request.GET.lists() if len(values) > 1)
    if repeated:
        raise BadRequest(
            f"Query parameter {', '.join(repr(r) for r in repeated)} given more than once; "
            "give each at most once."
        )


def int_param(request, name: str, *, default: int, minimum: int, maximum: int = MAX_INT) -> int:
    raw = request.GET.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"'{name}' must be an integer, got {raw!r}.") from None
    if not minimum <= value <= maximum:
        raise BadRequest(f"'{name}' must be between {minimum} and {maximum}, got {value}.")
    return value


def limit_offset(request) -> tuple[int, int]:
    limit = int_param(request, "limit", default=DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT)
    offset = int_param(request, "offset", default=0, minimum=0)
    return limit, offset


# Free text never holds control characters (U+0000 to U+001F, U+007F): PostgreSQL cannot even
# compare NUL, and no path, slug or search has the others. The schema says the same (TEXT_PATTERN).
_TEXT_CHARACTER = "[^\\u0000-\\u001f\\u007f]"
TEXT_PATTERN = f"^{_TEXT_CHARACTER}*$"
PATH_PATTERN = f"^/{_TEXT_CHARACTER}*$"  # a frontend path


def has_control_characters(text: str) -> bool:
    return any(ord(c) < 32 or ord(c) == 127 for c in text)


def text_param(request, name: str) -> str | None:
    """Return a free-text parameter; control characters are refused (see TEXT_PATTERN)."""
    raw = request.GET.get(name)
    if raw is not None and has_control_characters(raw):
        raise BadRequest(f"'{name}' must not contain control characters.")
    return raw


def fields_param(request, available: set[str]) -> list[str] | None:
    """Parse `?fields=a,b`: the fields to keep (plus `id` and `type`), or None for all."""
    raw = request.GET.get("fields")
    if raw is None:
        return None
    wanted = [f.strip() for f in raw.split(",") if f.strip()]
    if not wanted:
        raise BadRequest("'fields' must name at least one field.")
    unknown = [f for f in wanted if f not in available]
    if unknown:
        raise BadRequest(
            f"Unknown field {', '.join(repr(u) for u in unknown)} in 'fields'; "
            f"available: {', '.join(sorted(available))}."
        )
    return ["id", "type", *[f for f in wanted if f not in ("id", "type")]]


def datetime_param(request, name: str) -> datetime | None:
    raw = request.GET.get(name)
    if raw is None:
        return None
    try:
        value = parse_datetime(raw.replace(" ", "+"))
        if value is not None:
            # Naive means UTC; converting also catches moments no database can store.
            value = timezone.make_aware(value, UTC) if timezone.is_naive(value) else value
            value = value.astimezone(UTC)
    except (ValueError, OverflowError):
        value = None
    if value is None:
        raise BadRequest(
            f"'{name}' must be an ISO 8601 date-time such as 2024-05-01T12:00:00Z, got {raw!r}."
        )
    return value


CURSOR_PREFIX = "seq:"
# Exactly the cursors encode_cursor makes: unpadded URL-safe base64 of "seq:" and digits. Spelled
# out per base64 quantum, so the schema can say which strings are cursors (and a string it
# accepts is never refused as malformed): "seq" is c2Vx; ":" and two digits make Oj, one of
# [AEIMQUYcgk] and one of [w-z0-5]; three digits make 0011aaaa 0011bbbb 0011cccc in sextets.
_DIGIT_HEAD = "(?:[MN][DTjz]|O[DT])"  # the first digit's six bits and two of the next
_DIGIT_MID = "[AEIMQUYcgk]"  # four bits of a digit, then 00
_DIGIT_TAIL = "[w-z0-5]"  # 11, then four bits of a digit
CURSOR_PATTERN = (
    f"^c2VxOj{_DIGIT_MID}(?:{_DIGIT_TAIL}(?:{_DIGIT_HEAD}{_DIGIT_MID}{_DIGIT_TAIL})*"
    f"(?:(?:[MN][AQgw]|O[AQ])|{_DIGIT_HEAD}{_DIGIT_MID})?)?$"
)
_CURSOR_RE = re.compile(CURSOR_PATTERN)


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"{CURSOR_PREFIX}{seq}".encode()).decode().rstrip("=")


def decode_cursor(raw: str) -> int:
    """Return the seq of a cursor made by `encode_cursor`; anything else is a 400."""
    if not _CURSOR_RE.fullmatch(raw):
        raise BadRequest(f"'cursor' {raw!r} is not a cursor from this feed; start without one.")
    text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
    return int(text.removeprefix(CURSOR_PREFIX))

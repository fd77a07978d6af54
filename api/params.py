"""Query parameters: every endpoint declares what it accepts; anything else is a 400."""

import base64
import binascii
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


def text_param(request, name: str) -> str | None:
    """Return a free-text parameter; NUL and other control characters are refused (PostgreSQL
    cannot even compare them)."""
    raw = request.GET.get(name)
    if raw is not None and any(ord(c) < 32 or ord(c) == 127 for c in raw):
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


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"{CURSOR_PREFIX}{seq}".encode()).decode().rstrip("=")


def decode_cursor(raw: str) -> int:
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
        if not text.startswith(CURSOR_PREFIX):
            raise ValueError
        seq = int(text.removeprefix(CURSOR_PREFIX))
        if seq < 0:
            raise ValueError
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise BadRequest(
            f"'cursor' {raw!r} is not a cursor from this feed; start without one."
        ) from None
    return seq

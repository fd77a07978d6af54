"""Release preview tokens: signed, timestamped claims naming one release and an expiry.

As page preview tokens (`preview.tokens`), with a salt of their own: a page's preview token is
never a release token, nor the other way round. Only the token's SHA-256 is stored.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core import signing

from preview.tokens import MAX_TOKEN_LENGTH, TokenInvalid, token_hash

SALT = "releases.token.v1"
KINDS = ("live", "share")
_KEYS = {"k", "r", "e", "n"}

__all__ = ["Claims", "TokenInvalid", "token_hash", "token_make", "token_read"]


@dataclass(frozen=True)
class Claims:
    kind: str
    release_id: int
    expires_at: datetime


def token_make(*, kind: str, release_id: int, expires_at: datetime) -> str:
    """Sign the claims of a new token; a random nonce makes every token unique."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    payload = {
        "k": kind,
        "r": release_id,
        "e": int(expires_at.timestamp()),
        "n": secrets.token_urlsafe(9),
    }
    return signing.dumps(payload, salt=SALT, compress=False)


def token_read(token: str) -> Claims:
    """Return the claims of a release token this CMS signed, or raise TokenInvalid (expiry is
    the caller's to check, so it can say "expired" rather than "invalid")."""
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        raise TokenInvalid
    try:
        payload = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, UnicodeDecodeError):
        raise TokenInvalid from None
    if (
        not isinstance(payload, dict)
        or set(payload) != _KEYS
        or payload["k"] not in KINDS
        or not _is_id(payload["r"])
        or not _is_id(payload["e"])
    ):
        raise TokenInvalid
    return Claims(
        kind=payload["k"],
        release_id=payload["r"],
        expires_at=datetime.fromtimestamp(payload["e"], tz=UTC),
    )


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0

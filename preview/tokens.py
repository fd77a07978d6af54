"""Preview tokens: signed, timestamped claims naming one page, one revision and an expiry.

A token is `django.core.signing.dumps` of a small JSON object under this module's salt, so it
cannot be forged or altered without SECRET_KEY, and a token signed for anything else in the
project (another salt) is refused. The database keeps only its SHA-256 (`token_hash`), which is
how a token is found again and how a share link is revoked.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core import signing

SALT = "preview.token.v1"
KINDS = ("live", "share")
MAX_TOKEN_LENGTH = 512  # real tokens are about 150 characters; refuse anything huge unread
_KEYS = {"k", "p", "r", "e", "n"}


class TokenInvalid(Exception):
    """The token is malformed, tampered with, or was not issued here."""


@dataclass(frozen=True)
class Claims:
    kind: str
    page_id: int | None
    revision_id: int | None
    expires_at: datetime


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_make(
    *, kind: str, page_id: int | None, revision_id: int | None, expires_at: datetime
) -> str:
    """Sign the claims of a new token; a random nonce makes every token unique."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    payload = {
        "k": kind,
        "p": page_id,
        "r": revision_id,
        "e": int(expires_at.timestamp()),
        "n": secrets.token_urlsafe(9),
    }
    return signing.dumps(payload, salt=SALT, compress=False)


def token_read(token: str) -> Claims:
    """Return the claims of a token this CMS signed, or raise TokenInvalid. Expiry is not
    checked here: the caller says "expired" rather than "invalid" for an old, genuine token."""
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
        or not _is_id(payload["p"], nullable=True)
        or not _is_id(payload["r"], nullable=True)
        or not _is_id(payload["e"], nullable=False)
    ):
        raise TokenInvalid
    return Claims(
        kind=payload["k"],
        page_id=payload["p"],
        revision_id=payload["r"],
        expires_at=datetime.fromtimestamp(payload["e"], tz=UTC),
    )


def _is_id(value, *, nullable: bool) -> bool:
    if value is None:
        return nullable
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0

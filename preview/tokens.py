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


def sign(claims: dict, *, salt: str) -> str:
    """Sign a token's claims under `salt`; a random nonce makes every token unique."""
    if claims.get("k") not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {claims.get('k')!r}")
    payload = {**claims, "n": secrets.token_urlsafe(9)}
    return signing.dumps(payload, salt=salt, compress=False)


def unsign(token: str, *, salt: str, keys: set[str]) -> dict:
    """Return the claims of a token this CMS signed under `salt`, or raise TokenInvalid.

    The claims must be exactly `keys` (with the kind `k`, the expiry `e` and the nonce) and of
    a known kind. Expiry is not checked here: the caller says "expired" rather than "invalid"
    for an old, genuine token. Page and release tokens both read through this.
    """
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        raise TokenInvalid
    try:
        payload = signing.loads(token, salt=salt)
    except (signing.BadSignature, ValueError, UnicodeDecodeError):
        raise TokenInvalid from None
    if (
        not isinstance(payload, dict)
        or set(payload) != keys | {"k", "e", "n"}
        or payload["k"] not in KINDS
        or not is_id(payload["e"], nullable=False)
    ):
        raise TokenInvalid
    return payload


def expiry(payload: dict) -> datetime:
    return datetime.fromtimestamp(payload["e"], tz=UTC)


def token_make(
    *, kind: str, page_id: int | None, revision_id: int | None, expires_at: datetime
) -> str:
    """Sign the claims of a new page preview token."""
    claims = {"k": kind, "p": page_id, "r": revision_id, "e": int(expires_at.timestamp())}
    return sign(claims, salt=SALT)


def token_read(token: str) -> Claims:
    """Return the claims of a page preview token this CMS signed, or raise TokenInvalid."""
    payload = unsign(token, salt=SALT, keys={"p", "r"})
    if not is_id(payload["p"], nullable=True) or not is_id(payload["r"], nullable=True):
        raise TokenInvalid
    return Claims(
        kind=payload["k"],
        page_id=payload["p"],
        revision_id=payload["r"],
        expires_at=expiry(payload),
    )


def is_id(value, *, nullable: bool) -> bool:
    if value is None:
        return nullable
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0

"""Release preview tokens: signed, timestamped claims naming one release and an expiry.

As page preview tokens (`preview.tokens`), with a salt of their own: a page's preview token is
never a release token, nor the other way round. Only the token's SHA-256 is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from preview.tokens import TokenInvalid, expiry, is_id, sign, token_hash, unsign

SALT = "releases.token.v1"

__all__ = ["Claims", "TokenInvalid", "token_hash", "token_make", "token_read"]


@dataclass(frozen=True)
class Claims:
    kind: str
    release_id: int
    expires_at: datetime


def token_make(*, kind: str, release_id: int, expires_at: datetime) -> str:
    """Sign the claims of a new release token."""
    return sign({"k": kind, "r": release_id, "e": int(expires_at.timestamp())}, salt=SALT)


def token_read(token: str) -> Claims:
    """Return the claims of a release token this CMS signed, or raise TokenInvalid (expiry is
    the caller's to check, so it can say "expired" rather than "invalid")."""
    payload = unsign(token, salt=SALT, keys={"r"})
    if not is_id(payload["r"], nullable=False):
        raise TokenInvalid
    return Claims(kind=payload["k"], release_id=payload["r"], expires_at=expiry(payload))

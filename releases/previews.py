"""Release previews: the tokens that show the site as a release would leave it.

A live token (the admin's "Preview", valid PREVIEW_LIVE_TTL) or a share link (for reviewers
outside the admin, up to PREVIEW_SHARE_MAX_TTL, revocable, each use logged) grants one release.
A token is checked in this order, each failure saying what went wrong and nothing of the
release: signature (invalid), expiry in the signed claims (expired), the stored record found by
the token's hash (invalid), revocation (revoked), expiry in the record (expired), the release
asked for (wrong_release), the release still unfinished (closed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.http import urlencode
from wagtail.models import Site

from documents.moments import iso_utc
from preview.frontend import frontend_url_for
from preview.services import PreviewDenied, link_store

from . import tokens
from .models import Release, ReleaseLink, ReleaseLinkUse

# The query parameter the delivery API and the reference frontend read the token from.
TOKEN_PARAM = "release_token"  # noqa: S105 (a parameter name, not a secret)


class ReleasePreviewDenied(PreviewDenied):
    """A release token that grants nothing, and why (`reason`), for a 401/403 problem."""

    STATUS = {
        "missing": 401,
        "invalid": 401,
        "expired": 401,
        "revoked": 403,
        "wrong_release": 403,
        "closed": 403,
    }


@dataclass(frozen=True)
class ReleaseGrant:
    """What a valid token shows: the site as one unfinished release would leave it."""

    release: Release
    link: ReleaseLink

    @property
    def meta(self) -> dict:
        """What a previewed answer says about itself (`meta.preview` in the API)."""
        return {
            "release": {"id": self.release.pk, "title": self.release.title},
            "status": self.release.status,
            "kind": self.link.kind,
            "expires_at": iso_utc(self.link.expires_at),
        }


def user_may_preview(*, release: Release, user) -> bool:
    """Editors and reviewers of releases may preview and share them."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.has_perm("releases.change_release") or user.has_perm("releases.publish_release")


# Making tokens ------------------------------------------------------------------------------


def _expiry(seconds: float) -> datetime:
    return (timezone.now() + timedelta(seconds=seconds)).replace(microsecond=0)


def _link_create(*, release: Release, kind: str, user, expires_at, label="") -> tuple:
    token = tokens.token_make(kind=kind, release_id=release.pk, expires_at=expires_at)
    link = link_store(
        ReleaseLink,
        token=token,
        user=user,
        expires_at=expires_at,
        label=label,
        release=release,
        kind=kind,
    )
    return link, token


@transaction.atomic
def release_preview_create(*, release: Release, user) -> tuple[ReleaseLink, str]:
    """Return a live token (PREVIEW_LIVE_TTL) for the admin's preview of a release."""
    ReleaseLink.objects.filter(kind=ReleaseLink.Kind.LIVE, expires_at__lte=timezone.now()).delete()
    return _link_create(
        release=release,
        kind=ReleaseLink.Kind.LIVE,
        user=user,
        expires_at=_expiry(settings.PREVIEW_LIVE_TTL),
    )


def share_link_max_ttl() -> timedelta:
    return timedelta(seconds=settings.PREVIEW_SHARE_MAX_TTL)


@transaction.atomic
def release_share_link_create(
    *, release: Release, user, expires_in: timedelta, label: str = ""
) -> tuple[ReleaseLink, str]:
    """Create a share link to a release's preview; return it and its token (shown once)."""
    if not release.is_unfinished:
        raise ValidationError(f"'{release}' is {release.get_status_display().lower()}.")
    if expires_in <= timedelta(0):
        raise ValidationError("A share link must expire in the future.")
    if expires_in > share_link_max_ttl():
        raise ValidationError(
            f"A share link may last at most {share_link_max_ttl()} (PREVIEW_SHARE_MAX_TTL)."
        )
    return _link_create(
        release=release,
        kind=ReleaseLink.Kind.SHARE,
        user=user,
        expires_at=_expiry(expires_in.total_seconds()),
        label=label,
    )


def release_link_use_record(
    *, link: ReleaseLink, ip: str | None, path: str, outcome: str
) -> ReleaseLinkUse | None:
    """Log a request made with a share link (live tokens are the admin's own: not logged)."""
    if link.kind != ReleaseLink.Kind.SHARE:
        return None
    return ReleaseLinkUse.objects.create(link=link, ip=ip or None, path=path[:300], outcome=outcome)


def frontend_release_url(*, token: str, path: str = "/") -> str:
    """Return the frontend URL that opens the site as the release would leave it."""
    site = Site.objects.filter(is_default_site=True).first()
    return f"{frontend_url_for(site)}{path}?{urlencode({TOKEN_PARAM: token})}"


# Checking tokens ----------------------------------------------------------------------------

INVALID = (
    "This release preview token is not valid: it is malformed, was altered, or was not issued "
    "by this CMS."
)


def release_grant(*, token: str | None, release_id: int | None = None) -> ReleaseGrant:
    """Return what a token grants, or raise ReleasePreviewDenied saying why it grants nothing.

    `release_id`: the release the request names, if any (another release's token is refused).
    """
    if not token:
        raise ReleasePreviewDenied("missing", f"A release preview needs ?{TOKEN_PARAM}=.")
    try:
        claims = tokens.token_read(token)
    except tokens.TokenInvalid:
        raise ReleasePreviewDenied("invalid", INVALID) from None
    now = timezone.now()
    if claims.expires_at <= now:
        raise ReleasePreviewDenied("expired", _expired(claims.expires_at))
    link = (
        ReleaseLink.objects.select_related("release")
        .filter(token_hash=tokens.token_hash(token))
        .first()
    )
    if link is None or link.release_id != claims.release_id or link.kind != claims.kind:
        raise ReleasePreviewDenied(
            "invalid", "This release preview is not known: the release may have been deleted."
        )
    if link.revoked_at is not None:
        raise ReleasePreviewDenied(
            "revoked",
            f"This release preview link was revoked at {iso_utc(link.revoked_at)}; "
            "ask for a new one.",
            link=link,
        )
    if link.expires_at <= now:
        raise ReleasePreviewDenied("expired", _expired(link.expires_at), link=link)
    if release_id is not None and release_id != link.release_id:
        raise ReleasePreviewDenied(
            "wrong_release",
            f"This preview token is for another release, not release {release_id}.",
            link=link,
        )
    if not link.release.is_unfinished:
        raise ReleasePreviewDenied(
            "closed",
            f"This release is {link.release.get_status_display().lower()}: there is nothing "
            "left to preview (the live site shows what it published).",
            link=link,
        )
    return ReleaseGrant(release=link.release, link=link)


def _expired(at: datetime) -> str:
    return f"This release preview link expired at {iso_utc(at)}; ask for a new one."

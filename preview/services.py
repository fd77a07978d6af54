"""Making, checking and revoking preview tokens, and rendering the draft a token grants.

A token is checked in this order, each failure answering what went wrong and nothing of the
draft: signature (invalid), expiry in the signed claims (expired), the stored record found by
the token's hash (invalid: unknown), revocation (revoked), expiry in the record (expired), the
page asked for (wrong_page).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page, Revision, TaskState

from documents.moments import iso_utc
from documents.rendering import RenderContext, audience_of

from . import tokens
from .models import LivePreviewState, RevocableLink, ShareLink, ShareLinkUse


class PreviewDenied(Exception):
    """A token that grants nothing, and why (`reason`), for a 401/403 problem response."""

    STATUS = {"missing": 401, "invalid": 401, "expired": 401, "revoked": 403, "wrong_page": 403}

    def __init__(self, reason: str, detail: str, *, link: RevocableLink | None = None):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.status = self.STATUS[reason]
        self.link = link


@dataclass(frozen=True)
class PreviewGrant:
    """What a valid token shows: a draft of one page, as of one revision or form state."""

    kind: str
    page_id: int | None
    revision_id: int | None
    expires_at: datetime
    link: ShareLink | None = None
    state: LivePreviewState | None = None

    @property
    def meta(self) -> dict:
        """What a preview answer says about itself (`meta` in the API)."""
        return {
            "preview": True,
            "kind": self.kind,
            "revision_id": self.revision_id,
            "expires_at": self.expires_at,
        }


# Making tokens ------------------------------------------------------------------------------


def _expiry(seconds: int | float) -> datetime:
    # Whole seconds: the signed claims carry the same instant as the stored record.
    return (timezone.now() + timedelta(seconds=seconds)).replace(microsecond=0)


@transaction.atomic
def live_preview_create(
    *, page: Page, user, revision_id: int | None = None
) -> tuple[LivePreviewState, str]:
    """Store the page as the admin previews it (unsaved edits included); return a token for it.

    Expired states are deleted on the way, so the table holds at most PREVIEW_LIVE_TTL of them.
    """
    LivePreviewState.objects.expired().delete()
    expires_at = _expiry(settings.PREVIEW_LIVE_TTL)
    if revision_id is None:
        revision_id = page.latest_revision_id if page.pk else None
    token = tokens.token_make(
        kind="live", page_id=page.pk, revision_id=revision_id, expires_at=expires_at
    )
    parent = page.get_parent() if page.pk is None and page.path else None
    state = LivePreviewState.objects.create(
        page_id=page.pk,
        parent_page=parent,
        content_type=ContentType.objects.get_for_model(type(page)),
        content_json=page.to_json(),
        revision_id=revision_id,
        created_by=user if user is not None and user.is_authenticated else None,
        expires_at=expires_at,
        token_hash=tokens.token_hash(token),
    )
    return state, token


def share_link_max_ttl() -> timedelta:
    return timedelta(seconds=settings.PREVIEW_SHARE_MAX_TTL)


@transaction.atomic
def share_link_create(
    *, page: Page, revision: Revision, user, expires_in: timedelta, label: str = ""
) -> tuple[ShareLink, str]:
    """Create a link to one saved revision of a page; return it and its token (shown once)."""
    if not page.revisions.filter(pk=revision.pk).exists():
        raise ValidationError(f"Revision {revision.pk} is not a revision of page {page.pk}.")
    if expires_in <= timedelta(0):
        raise ValidationError("A share link must expire in the future.")
    if expires_in > share_link_max_ttl():
        raise ValidationError(
            f"A share link may last at most {_human(share_link_max_ttl())} (PREVIEW_SHARE_MAX_TTL)."
        )
    expires_at = _expiry(expires_in.total_seconds())
    token = tokens.token_make(
        kind="share", page_id=page.pk, revision_id=revision.pk, expires_at=expires_at
    )
    link = link_store(
        ShareLink,
        token=token,
        user=user,
        expires_at=expires_at,
        label=label,
        page=page,
        revision=revision,
    )
    return link, token


def link_store(model, *, token: str, user, expires_at: datetime, label: str = "", **fields):
    """Store a new link (a RevocableLink model: page share link or release link) by the hash of
    its token, never the token."""
    return model.objects.create(
        label=label.strip(),
        created_by=user if user is not None and user.is_authenticated else None,
        expires_at=expires_at,
        token_hash=tokens.token_hash(token),
        **fields,
    )


@transaction.atomic
def link_revoke(*, link: RevocableLink, user) -> RevocableLink:
    """Revoke a link (a page share link or a release link) for good; revoking twice keeps the
    first time and person."""
    link = type(link).objects.select_for_update().get(pk=link.pk)
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.revoked_by = user if user is not None and user.is_authenticated else None
        link.save(update_fields=["revoked_at", "revoked_by"])
    return link


def share_link_use_record(*, link: ShareLink, ip: str | None, outcome: str) -> ShareLinkUse:
    return ShareLinkUse.objects.create(link=link, ip=ip or None, outcome=outcome)


def user_may_share(*, page: Page, user) -> bool:
    """Editors and publishers of the page, and whoever may act on its current review task."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    perms = page.permissions_for_user(user)
    if perms.can_edit() or perms.can_publish():
        return True
    task_state = review_task_state(page)
    return bool(task_state and task_state.task.specific.get_actions(page, user))


def review_task_state(page: Page) -> TaskState | None:
    """Return the task state of the review in progress on a page, if any."""
    workflow_state = page.current_workflow_state
    return workflow_state.current_task_state if workflow_state is not None else None


def _human(delta: timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    if hours and hours % 24 == 0:
        days = hours // 24
        return f"{days} day{'s' if days != 1 else ''}"
    return f"{hours} hour{'s' if hours != 1 else ''}"


# Checking tokens ----------------------------------------------------------------------------

INVALID = (
    "This preview token is not valid: it is malformed, was altered, or was not issued by this CMS."
)


def preview_grant(*, token: str | None, page_id: int | None = None) -> PreviewGrant:
    """Return what a token grants, or raise PreviewDenied saying why it grants nothing."""
    if not token:
        raise PreviewDenied(
            "missing", "A preview token is required: pass ?token= from the preview link."
        )
    try:
        claims = tokens.token_read(token)
    except tokens.TokenInvalid:
        raise PreviewDenied("invalid", INVALID) from None
    now = timezone.now()
    if claims.expires_at <= now:
        raise PreviewDenied("expired", _expired(claims.expires_at))
    if claims.kind == "share":
        return _share_grant(token, claims, page_id, now)
    return _live_grant(token, claims, page_id, now)


def _share_grant(token, claims, page_id, now) -> PreviewGrant:
    link = (
        ShareLink.objects.select_related("revision")
        .filter(token_hash=tokens.token_hash(token))
        .first()
    )
    if link is None or link.page_id != claims.page_id or link.revision_id != claims.revision_id:
        raise PreviewDenied(
            "invalid", "This share link is not known: its page or revision may have been deleted."
        )
    if link.revoked_at is not None:
        raise PreviewDenied(
            "revoked",
            f"This share link was revoked at {iso_utc(link.revoked_at)}; ask for a new one.",
            link=link,
        )
    if link.expires_at <= now:
        raise PreviewDenied("expired", _expired(link.expires_at), link=link)
    if page_id is not None and page_id != link.page_id:
        raise PreviewDenied("wrong_page", _wrong_page(page_id), link=link)
    return PreviewGrant(
        kind="share",
        page_id=link.page_id,
        revision_id=link.revision_id,
        expires_at=link.expires_at,
        link=link,
    )


def _live_grant(token, claims, page_id, now) -> PreviewGrant:
    state = (
        LivePreviewState.objects.select_related("content_type")
        .filter(token_hash=tokens.token_hash(token))
        .first()
    )
    if state is None or state.page_id != claims.page_id:
        raise PreviewDenied("invalid", "This preview is not known: its page may have been deleted.")
    if state.expires_at <= now:
        raise PreviewDenied("expired", _expired(state.expires_at))
    if page_id is not None and page_id != state.page_id:
        raise PreviewDenied("wrong_page", _wrong_page(page_id))
    return PreviewGrant(
        kind="live",
        page_id=state.page_id,
        revision_id=state.revision_id,
        expires_at=state.expires_at,
        state=state,
    )


def _expired(at: datetime) -> str:
    return f"This preview link expired at {iso_utc(at)}; ask for a new one."


def _wrong_page(page_id: int) -> str:
    return f"This preview token is for another page, not page {page_id}."


# The draft ----------------------------------------------------------------------------------


def preview_page(grant: PreviewGrant) -> Page:
    """Return the draft a grant shows, as an unsaved page object."""
    if grant.link is not None:
        return grant.link.revision.as_object()
    state = grant.state
    return state.content_type.model_class().from_json(state.content_json)


def preview_render_context(page: Page) -> RenderContext:
    """Return the context a draft is rendered in: that of its published document."""
    return RenderContext(audience=audience_of(page))

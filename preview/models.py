"""Who may see a draft, as data: the admin's live previews and reviewers' share links.

Neither stores its token: only the SHA-256 of it, so a database dump grants nothing. The token
itself is signed (see `preview.tokens`), names one page and one revision or preview state, and
expires.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class LivePreviewStateQuerySet(models.QuerySet):
    def expired(self, *, now=None):
        return self.filter(expires_at__lte=now or timezone.now())


class LivePreviewState(models.Model):
    """The unsaved form state an editor previewed: the page exactly as the admin showed it.

    One row per press of Preview (or per refresh of the live preview panel), kept until it
    expires, so every token shows what it was made for even while the editor keeps typing.
    """

    page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Empty for a page that was never saved (the create view's preview).",
    )
    parent_page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, related_name="+"
    )
    content_json = models.TextField(help_text="The page as Wagtail serializes a revision.")
    revision = models.ForeignKey(
        "wagtailcore.Revision",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The saved revision the form state started from.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)

    objects = LivePreviewStateQuerySet.as_manager()

    class Meta:
        verbose_name = "live preview"

    def __str__(self) -> str:
        until = f"{self.expires_at:%Y-%m-%d %H:%M}"
        return f"Live preview of page {self.page_id or 'new'} until {until}"


class LinkQuerySet(models.QuerySet):
    def active(self, *, now=None):
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class RevocableLink(models.Model):
    """A link whose token expires and can be revoked: page share links here, release preview
    links in `releases`. Only the token's SHA-256 is stored."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"

    label = models.CharField(
        max_length=100, blank=True, help_text="Who the link is for, e.g. 'ESA comms team'."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)

    objects = LinkQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]

    def status(self, *, now=None) -> str:
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.expires_at <= (now or timezone.now()):
            return self.Status.EXPIRED
        return self.Status.ACTIVE


class LinkUse(models.Model):
    """One request made with a link's token: when, from where, and whether it was served."""

    at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.outcome} at {self.at:%Y-%m-%d %H:%M} from {self.ip}"


class ShareLink(RevocableLink):
    """A link to one saved revision of one page, for reviewers outside the admin."""

    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    revision = models.ForeignKey("wagtailcore.Revision", on_delete=models.CASCADE, related_name="+")

    class Meta(RevocableLink.Meta):
        pass

    def __str__(self) -> str:
        return f"Share link {self.pk} to revision {self.revision_id} of page {self.page_id}"


class ShareLinkUse(LinkUse):
    """One request with a share link's token."""

    class Outcome(models.TextChoices):
        SERVED = "served", "Served"
        EXPIRED = "expired", "Refused: expired"
        REVOKED = "revoked", "Refused: revoked"
        WRONG_PAGE = "wrong_page", "Refused: another page"

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="uses")
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.SERVED)

    class Meta(LinkUse.Meta):
        indexes = [models.Index(fields=["link", "at"])]

"""Releases as data: the release, its items, and the tokens that preview it (see the package
docstring for the design)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    WorkflowMixin,
)

from preview.models import LinkUse, RevocableLink


class ReleaseQuerySet(models.QuerySet):
    def unfinished(self):
        """Releases that may still change or go live: their pages belong to them."""
        return self.filter(status__in=Release.UNFINISHED)

    def published(self):
        return self.filter(status=Release.Status.PUBLISHED)


class Release(WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, models.Model):
    """A set of page changes that is reviewed, previewed and published as one.

    Its title and notes are revisioned (the Review workflow approves a revision of them, with
    the items as they are); everything else is bookkeeping kept on the row, which revisions
    never overwrite (`with_content_json`).
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_REVIEW = "in_review", "In review"
        APPROVED = "approved", "Approved"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    UNFINISHED = (Status.OPEN, Status.IN_REVIEW, Status.APPROVED, Status.SCHEDULED, Status.FAILED)
    # Items may change in these (an approved or scheduled release then needs review again).
    EDITABLE = (Status.OPEN, Status.APPROVED, Status.SCHEDULED, Status.FAILED)
    # A reviewer may publish these now.
    PUBLISHABLE = (Status.APPROVED, Status.SCHEDULED, Status.FAILED)

    title = models.CharField(max_length=200)
    notes = models.TextField(blank=True, help_text="What changes, and why (shown in the API).")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.OPEN, editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    publish_at = models.DateTimeField(
        "go-live time",
        null=True,
        blank=True,
        editable=False,
        help_text="When the worker publishes the scheduled release.",
    )
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    first_seq = models.BigIntegerField(null=True, blank=True, editable=False)
    last_seq = models.BigIntegerField(null=True, blank=True, editable=False)
    failed_at = models.DateTimeField(null=True, blank=True, editable=False)
    failure_reason = models.TextField(blank=True, editable=False)

    objects = ReleaseQuerySet.as_manager()

    # Approving the review does not publish a release (see releases.workflows).
    publish_on_approval = False

    BOOKKEEPING = (
        "owner_id",
        "status",
        "created_at",
        "approved_at",
        "approved_by_id",
        "publish_at",
        "scheduled_by_id",
        "published_at",
        "published_by_id",
        "first_seq",
        "last_seq",
        "failed_at",
        "failure_reason",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "publish_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="scheduled") | Q(publish_at__isnull=False),
                name="scheduled_release_has_a_time",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def with_content_json(self, content):
        """Return the release as of a revision: its title and notes, with today's bookkeeping.

        Revisions hold the whole row; without this, saving the edit form (whose object comes
        from the latest revision) would put back the status of the day the revision was made.
        """
        obj = super().with_content_json(content)
        for name in self.BOOKKEEPING:
            setattr(obj, name, getattr(self, name))
        return obj

    @property
    def is_unfinished(self) -> bool:
        return self.status in self.UNFINISHED

    @property
    def status_string(self) -> str:
        """Wagtail's status label (listings, headers): the release's own status."""
        return self.get_status_display().lower()


class ReleaseItem(models.Model):
    """One page in a release: publish its pinned revision, or unpublish it.

    `page_id` is a plain id (kept after the page is deleted, like `PublishedVersion.page_id`):
    a published release still lists what it published. `active` is true while the release is
    unfinished; the unique index over it keeps a page in at most one unfinished release.
    """

    class Action(models.TextChoices):
        PUBLISH = "publish", "Publish the pinned revision"
        UNPUBLISH = "unpublish", "Unpublish"

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="items")
    page_id = models.BigIntegerField(db_index=True)
    action = models.CharField(max_length=10, choices=Action.choices, default=Action.PUBLISH)
    revision = models.ForeignKey(
        "wagtailcore.Revision",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The revision the release publishes (none for an unpublish).",
    )
    active = models.BooleanField(default=True)
    pinned_at = models.DateTimeField(default=timezone.now)
    pinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A conflict confirmed by a person: the page's publish and latest draft at that moment.
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_revision_id = models.BigIntegerField(null=True, blank=True)
    # What publishing the release did to the page (set when it is published).
    page_type = models.CharField(max_length=40, blank=True)
    version = models.PositiveIntegerField(null=True, blank=True)
    audience = models.JSONField(
        null=True,
        blank=True,
        help_text="Who may read the item's published version (see pipeline.LiveDocument).",
    )

    class Meta:
        ordering = ["release", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["page_id"],
                condition=Q(active=True),
                name="one_unfinished_release_per_page",
            ),
            models.UniqueConstraint(fields=["release", "page_id"], name="page_once_per_release"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: page {self.page_id} in release {self.release_id}"


class ReleaseLink(RevocableLink):
    """A token that previews a release: the admin's live preview or a reviewer's share link.

    Only the SHA-256 of the token is stored (as for page previews): a database dump grants
    nothing.
    """

    class Kind(models.TextChoices):
        LIVE = "live", "Live preview"
        SHARE = "share", "Share link"

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(max_length=5, choices=Kind.choices)

    class Meta(RevocableLink.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk} of release {self.release_id}"


class ReleaseLinkUse(LinkUse):
    """One request with a release share link."""

    class Outcome(models.TextChoices):
        SERVED = "served", "Served"
        EXPIRED = "expired", "Refused: expired"
        REVOKED = "revoked", "Refused: revoked"
        WRONG_RELEASE = "wrong_release", "Refused: another release"
        CLOSED = "closed", "Refused: release published or cancelled"

    link = models.ForeignKey(ReleaseLink, on_delete=models.CASCADE, related_name="uses")
    path = models.CharField(max_length=300, blank=True, help_text="The API path requested.")
    outcome = models.CharField(max_length=14, choices=Outcome.choices, default=Outcome.SERVED)

    class Meta(LinkUse.Meta):
        indexes = [models.Index(fields=["link", "at"])]

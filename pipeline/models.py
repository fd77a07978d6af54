"""What happens at publish time, as data.

- `PublishedVersion`: every publish of an item freezes the document the API serves, byte for byte.
- `LiveDocument`: the version each live page serves now, and who may see it.
- `DocumentDependency`: what a live document embeds, so a change to it re-renders the embedder.
- `Change` / `FeedState`: the ordered change log that consumers follow with a cursor.
- Webhook endpoints, deliveries (the transactional outbox) and their attempts.
"""

import json
import secrets

from django.db import models
from django.utils import timezone


class PublishedVersion(models.Model):
    """An immutable published version of an item: the exact bytes the API served."""

    class Cause(models.TextChoices):
        PUBLISH = "publish", "Published"
        DEPENDENCY = "dependency", "Embedded content changed"
        MOVE = "move", "Moved"
        REBUILD = "rebuild", "Rebuilt after a serializer change"

    page_id = models.BigIntegerField(db_index=True, help_text="Kept after the page is deleted.")
    number = models.PositiveIntegerField()
    type = models.CharField(max_length=40)
    body = models.TextField(help_text="The JSON document, exactly as served.")
    etag = models.CharField(max_length=64, help_text="SHA-256 of the body: the strong ETag.")
    cause = models.CharField(max_length=12, choices=Cause.choices, default=Cause.PUBLISH)
    revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)
    live_until = models.DateTimeField(
        null=True, blank=True, help_text="When a later version, an unpublish or a delete ended it."
    )
    audience = models.JSONField(
        null=True,
        blank=True,
        help_text=(
            "The audience the body was rendered for (see LiveDocument): a version made while "
            "the page was members-only may embed members-only pages. Null: unknown."
        ),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["page_id", "number"], name="unique_version_number")
        ]
        indexes = [models.Index(fields=["page_id", "published_at"])]
        ordering = ["page_id", "number"]

    def __str__(self) -> str:
        return f"{self.type} {self.page_id} v{self.number}"

    @property
    def url_path(self) -> str | None:
        """The frontend path the item had in this version."""
        return json.loads(self.body).get("url_path")


class LiveDocument(models.Model):
    """The version a live page serves now, and the audience allowed to read it.

    `audience` lists the view restrictions on the page and its ancestors, each a clause every
    caller must satisfy: `{"kind": "groups", "groups": [ids]}`, `{"kind": "login"}` or
    `{"kind": "password"}` (never served by the API). An empty list is public.
    """

    page = models.OneToOneField(
        "wagtailcore.Page", primary_key=True, on_delete=models.CASCADE, related_name="live_document"
    )
    version = models.ForeignKey(PublishedVersion, on_delete=models.PROTECT, related_name="+")
    is_public = models.BooleanField(default=True, db_index=True)
    audience = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.version} ({'public' if self.is_public else 'restricted'})"


class DocumentDependency(models.Model):
    """A live document embeds (links to, shows a summary of, renders) another object."""

    class Kind(models.TextChoices):
        PAGE = "page", "Page"
        IMAGE = "image", "Image"
        DOCUMENT = "document", "Document"

    document = models.ForeignKey(
        LiveDocument, on_delete=models.CASCADE, related_name="dependencies"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    target_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["document", "kind", "target_id"], name="unique_document_dependency"
            )
        ]
        indexes = [models.Index(fields=["kind", "target_id"])]

    def __str__(self) -> str:
        return f"{self.document_id} embeds {self.kind} {self.target_id}"


class Change(models.Model):
    """An entry of the change log. `seq` is assigned in commit order (see `changes`).

    `release_id` names the release whose publish appended it (plain id: releases sit above the
    pipeline); the entries of one release are consecutive and commit together.
    """

    class Action(models.TextChoices):
        PUBLISHED = "published", "Published"
        UNPUBLISHED = "unpublished", "Unpublished"
        DELETED = "deleted", "Deleted"
        MOVED = "moved", "Moved"
        VISIBILITY_CHANGED = "visibility_changed", "Visibility changed"

    seq = models.BigIntegerField(primary_key=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    page_id = models.BigIntegerField(db_index=True)
    type = models.CharField(max_length=40)
    version = models.PositiveIntegerField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    event_id = models.CharField(max_length=40, unique=True)
    is_public = models.BooleanField(default=True, help_text="Anonymous callers see this entry.")
    audiences = models.JSONField(
        default=list,
        blank=True,
        help_text="Audiences (see LiveDocument) that see this entry; any one suffices.",
    )
    release_id = models.BigIntegerField(
        null=True,
        blank=True,
        db_index=True,
        help_text="The release this entry was published in (its entries are consecutive).",
    )

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.type} {self.page_id}"

    @staticmethod
    def new_event_id() -> str:
        return f"msg_{secrets.token_hex(12)}"


class FeedState(models.Model):
    """The single row that orders the change log: `last_seq` is locked while appending."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    pruned_through = models.BigIntegerField(
        default=0, help_text="Entries up to this seq were removed by retention."
    )
    release_id = models.BigIntegerField(
        null=True,
        blank=True,
        help_text=(
            "The release whose entries are being appended (see changes.feed_release): set and "
            "cleared inside that release's transaction, so no other transaction ever sees it."
        ),
    )
    documents_base = models.CharField(
        max_length=300,
        blank=True,
        default="",
        help_text=(
            "The API_PUBLIC_BASE_URL the stored documents' absolute media URLs were rendered "
            "with (pipeline.public_base); empty until the first document. A full "
            "`rebuild_documents` records the current one."
        ),
    )

    def __str__(self) -> str:
        return f"feed at #{self.last_seq}"

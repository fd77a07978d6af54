"""Media that live pages show change only with the right to publish those pages.

An image or document edit re-renders every live document that embeds it (`services.
media_changed`): a new version, a feed entry and webhooks, with no review. So, in the admin's own
permission model:

- Editors add and choose media, and change media that no live page shows (a new upload, or one
  used only in drafts), as Wagtail allows them.
- Changing what live pages show (the file, title, alt text, focal point: anything but the
  collection and tags, which no document delivers) needs the right to publish every live page
  that shows it: Reviewers and administrators. Editors upload a new file and choose it on the
  page instead, and that change goes through review.
- Deleting media that live pages show takes it off them, so it needs the same right.

"Shows" is exact: the pipeline's `DocumentDependency` rows, which record what each live
document embeds and drive the re-render, not Wagtail's reference index (which also counts drafts
and does not know what is delivered).

`ReviewedMediaPermissionPolicy` is Wagtail's collection policy for media with one more action,
"publish" (change what live pages show), and a stricter "delete"; it is registered for the image
and document models (`PipelineConfig.ready`), so every admin view asks it. The edit forms
(`WAGTAILIMAGES_IMAGE_FORM_BASE`, `WAGTAILDOCS_DOCUMENT_FORM_BASE`) ask it for "publish" and
answer a refused change with a form error that says what to do.
"""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from wagtail.documents import get_document_model
from wagtail.documents.forms import BaseDocumentForm
from wagtail.images import get_image_model
from wagtail.images.forms import BaseImageForm
from wagtail.models import Page
from wagtail.permission_policies.collections import CollectionOwnershipPermissionPolicy
from wagtail.permissions import page_permission_policy, register_permission_policy

from .models import DocumentDependency

# Fields of an image or document that no delivered document shows.
UNDELIVERED_FIELDS = frozenset({"collection", "tags"})
PAGES_NAMED = 3  # how many of the pages showing it a refusal names


def media_shown_on(*, kind: str, target_id: int) -> QuerySet[Page]:
    """Return the live pages whose delivered documents embed this image or document."""
    embedders = DocumentDependency.objects.filter(kind=kind, target_id=target_id)
    return Page.objects.filter(pk__in=embedders.values("document_id")).order_by("path")


def media_change_allowed(*, user, kind: str, target_id: int) -> bool:
    """Return whether the user may publish every live page that shows this media."""
    if user is None or not user.is_active:
        return False
    if user.is_superuser:
        return True
    shown_on = media_shown_on(kind=kind, target_id=target_id)
    publishable = page_permission_policy.instances_user_has_permission_for(user, "publish")
    return not shown_on.exclude(pk__in=publishable.values("pk")).exists()


class ReviewedMediaPermissionPolicy(CollectionOwnershipPermissionPolicy):
    """Wagtail's media policy; changing or deleting what live pages show needs publish rights.

    Actions on an instance: Wagtail's "change" (open it, file it in a collection, tag it) and
    "choose"; "publish": change what live pages show of it; "delete": as Wagtail, and, when live
    pages show it, "publish" too.
    """

    def __init__(self, model, *, kind: str, auth_model: str, owner_field_name: str):
        super().__init__(model, auth_model=auth_model, owner_field_name=owner_field_name)
        self.kind = kind

    def user_has_any_permission_for_instance(self, user, actions, instance) -> bool:
        return any(self._user_may(user, action, instance) for action in actions)

    def _user_may(self, user, action: str, instance) -> bool:
        wagtail_action = "change" if action == "publish" else action
        if not super().user_has_any_permission_for_instance(user, [wagtail_action], instance):
            return False
        if action in {"publish", "delete"}:
            return media_change_allowed(user=user, kind=self.kind, target_id=instance.pk)
        return True


def media_policies_register() -> None:
    """Make the policy the one Wagtail asks for images and documents.

    Registered for the exact classes: Wagtail's apps register theirs for the classes and their
    subclasses, later or earlier depending on INSTALLED_APPS, and the exact one wins either way.
    """
    for model, kind, auth_model in (
        (get_image_model(), DocumentDependency.Kind.IMAGE, "wagtailimages.Image"),
        (get_document_model(), DocumentDependency.Kind.DOCUMENT, "wagtaildocs.Document"),
    ):
        policy = ReviewedMediaPermissionPolicy(
            model,
            kind=kind,
            auth_model=auth_model,
            owner_field_name="uploaded_by_user",
        )
        register_permission_policy(model, policy, exact_class=True)


class ReviewedMediaFormMixin:
    """Refuse an edit that changes what live pages show when the user may not publish them."""

    kind: str

    def __init__(self, *args, user=None, **kwargs):
        self.user = user  # Wagtail's form takes `user` for its collection choices, and drops it
        super().__init__(*args, user=user, **kwargs)

    def clean(self):
        cleaned_data = super().clean()
        instance = self.instance
        delivered_changes = set(self.changed_data) - UNDELIVERED_FIELDS
        if instance.pk is None or not delivered_changes:
            return cleaned_data
        allowed = self.user is not None and self.permission_policy.user_has_permission_for_instance(
            self.user, "publish", instance
        )
        if not allowed:
            raise forms.ValidationError(self.refusal(), code="media_shown_live")
        return cleaned_data

    def refusal(self) -> str:
        pages = list(media_shown_on(kind=self.kind, target_id=self.instance.pk)[: PAGES_NAMED + 1])
        named = ", ".join(f"“{page.title}”" for page in pages[:PAGES_NAMED])
        if len(pages) > PAGES_NAMED:
            named += " and others"
        return (
            f"Live pages show this {self.kind} ({named}): changing it would change them without "
            "review, so it needs the right to publish them. Ask a reviewer, or upload a new "
            f"{self.kind} and choose it on the page, then submit the page for review."
        )


class ReviewedImageForm(ReviewedMediaFormMixin, BaseImageForm):
    kind = DocumentDependency.Kind.IMAGE


class ReviewedDocumentForm(ReviewedMediaFormMixin, BaseDocumentForm):
    kind = DocumentDependency.Kind.DOCUMENT

"""Thin receivers: Wagtail and Django events in, pipeline services out."""

from functools import partial

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from . import services


@receiver(page_published)
def on_page_published(sender, instance, revision=None, **kwargs):
    # Wagtail also sends page_published for a publish scheduled in the future; the page is
    # not live then, and item_publish ignores it until the scheduled publish really happens.
    services.item_publish(page=instance, revision=revision)


@receiver(page_unpublished)
def on_page_unpublished(sender, instance, **kwargs):
    services.item_unpublish(page=instance)


@receiver(post_page_move)
def on_page_moved(sender, instance, url_path_before=None, url_path_after=None, **kwargs):
    if url_path_before != url_path_after or kwargs.get("parent_page_before") != kwargs.get(
        "parent_page_after"
    ):
        services.item_move(page=instance)


@receiver(pre_delete, sender=Page)
def on_page_deleting(sender, instance, **kwargs):
    # The live document goes with the page; remember who could read it for the feed entry.
    instance._pipeline_audience = services.live_audience(page_id=instance.pk)


@receiver(post_delete, sender=Page)
def on_page_deleted(sender, instance, **kwargs):
    services.item_delete(
        page_id=instance.pk, audience=getattr(instance, "_pipeline_audience", None)
    )


@receiver(post_save, sender=PageViewRestriction)
@receiver(post_delete, sender=PageViewRestriction)
def on_view_restriction_changed(sender, instance, **kwargs):
    services.visibility_refresh_page(page_id=instance.page_id)


@receiver(m2m_changed, sender=PageViewRestriction.groups.through)
def on_view_restriction_groups_changed(sender, instance, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        services.visibility_refresh_page(page_id=instance.page_id)


# Media re-renders wait for the commit: Wagtail's image form deletes the old file's renditions
# only after saving the image, so rendering on post_save would store (and serve) renditions of
# a file that is about to be deleted. A failure is logged and never undoes the editor's save.
@receiver(post_save, sender=get_image_model())
@receiver(post_delete, sender=get_image_model())
def on_image_changed(sender, instance, **kwargs):
    transaction.on_commit(
        partial(services.media_changed, kind="image", target_id=instance.pk), robust=True
    )


@receiver(post_save, sender=get_document_model())
@receiver(post_delete, sender=get_document_model())
def on_document_changed(sender, instance, **kwargs):
    transaction.on_commit(
        partial(services.media_changed, kind="document", target_id=instance.pk), robust=True
    )

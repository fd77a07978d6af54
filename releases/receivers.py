"""Thin receivers: the Review workflow's events on a release, in; release services, out."""

from django.contrib.contenttypes.models import ContentType
from django.dispatch import receiver
from wagtail.signals import (
    workflow_approved,
    workflow_cancelled,
    workflow_rejected,
    workflow_submitted,
)

from . import services
from .models import Release


def _release_of(workflow_state) -> Release | None:
    """Return the release a workflow state is about (None for a page's review), cheaply."""
    release_type = ContentType.objects.get_for_model(Release, for_concrete_model=False)
    if workflow_state.base_content_type_id != release_type.pk:
        return None
    return Release.objects.filter(pk=workflow_state.object_id).first()


@receiver(workflow_submitted)
def on_workflow_submitted(sender, instance, user=None, **kwargs):
    if (release := _release_of(instance)) is not None:
        services.release_review_started(release=release)


@receiver(workflow_approved)
def on_workflow_approved(sender, instance, user=None, **kwargs):
    if (release := _release_of(instance)) is not None:
        services.release_approved(release=release, user=user)


@receiver(workflow_rejected)
@receiver(workflow_cancelled)
def on_workflow_ended(sender, instance, user=None, **kwargs):
    if (release := _release_of(instance)) is not None:
        services.release_review_ended(release=release)

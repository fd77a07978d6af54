"""The share-link form of the admin."""

from datetime import timedelta

from django import forms
from django.conf import settings
from wagtail.models import Page

from content_models.templatetags.local_time import local_time_text

DURATIONS_HOURS = (1, 8, 24, 72, 168, 336, 720)
MAX_REVISIONS = 20


def duration_choices() -> list[tuple[int, str]]:
    """Offer the usual durations up to PREVIEW_SHARE_MAX_TTL, and the maximum itself."""
    max_hours = max(settings.PREVIEW_SHARE_MAX_TTL // 3600, 1)
    hours = [h for h in DURATIONS_HOURS if h < max_hours] + [max_hours]
    return [(h, _label(h)) for h in hours]


def _label(hours: int) -> str:
    if hours % 24 == 0:
        days = hours // 24
        return f"{days} day{'s' if days != 1 else ''}"
    return f"{hours} hour{'s' if hours != 1 else ''}"


class RevisionChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, review_revision_id=None, **kwargs):
        self.review_revision_id = review_revision_id
        super().__init__(*args, **kwargs)

    def label_from_instance(self, revision) -> str:
        who = revision.user.get_username() if revision.user else "system"
        label = f"#{revision.pk} · {local_time_text(revision.created_at)} · {who}"
        if revision.pk == self.review_revision_id:
            label += " · in review"
        return label


class ShareLinkForm(forms.Form):
    revision = RevisionChoiceField(queryset=None, empty_label=None, help_text="What it shows.")
    expires_in_hours = forms.TypedChoiceField(
        label="Expires in", coerce=int, choices=(), help_text="The link stops working then."
    )
    label = forms.CharField(
        max_length=100, required=False, help_text="Who it is for (shown in this list only)."
    )

    def __init__(self, *args, page: Page, review_revision_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["revision"]
        field.queryset = page.revisions.select_related("user").order_by("-created_at", "-pk")
        field.review_revision_id = review_revision_id
        ids = list(field.queryset.values_list("pk", flat=True)[:MAX_REVISIONS])
        if review_revision_id and review_revision_id not in ids:
            ids.append(review_revision_id)
        field.queryset = field.queryset.filter(pk__in=ids)
        field.initial = review_revision_id or (ids[0] if ids else None)
        choices = duration_choices()
        self.fields["expires_in_hours"].choices = choices
        self.fields["expires_in_hours"].initial = next(
            (h for h, _ in choices if h == 72), choices[-1][0]
        )

    @property
    def expires_in(self) -> timedelta:
        return timedelta(hours=self.cleaned_data["expires_in_hours"])

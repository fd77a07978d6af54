"""The release screen's forms: add a page, schedule, share."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from wagtail.admin.widgets import AdminDateTimeInput, AdminPageChooser
from wagtail.models import Page

from preview.forms import duration_choices

from .models import Release, ReleaseItem


class ItemAddForm(forms.Form):
    page = forms.ModelChoiceField(
        queryset=Page.objects.filter(depth__gt=1),
        widget=AdminPageChooser(),
        help_text="Its current draft is pinned: a later draft joins the release when re-pinned.",
    )
    action = forms.ChoiceField(
        choices=ReleaseItem.Action.choices, initial=ReleaseItem.Action.PUBLISH
    )


class AddToReleaseForm(forms.Form):
    """From a page's editor: which unfinished release to add its current draft to."""

    release = forms.ModelChoiceField(queryset=Release.objects.none(), empty_label=None)
    action = forms.ChoiceField(
        choices=ReleaseItem.Action.choices, initial=ReleaseItem.Action.PUBLISH
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["release"].queryset = Release.objects.filter(status__in=Release.EDITABLE)


class ScheduleForm(forms.Form):
    publish_at = forms.DateTimeField(
        label="Go-live time", widget=AdminDateTimeInput(), help_text="The worker publishes then."
    )

    def clean_publish_at(self):
        at = self.cleaned_data["publish_at"]
        if at <= timezone.now():
            raise forms.ValidationError("Choose a time in the future (or publish now).")
        return at


class ShareLinkForm(forms.Form):
    expires_in_hours = forms.TypedChoiceField(
        label="Expires in", coerce=int, choices=(), help_text="The link stops working then."
    )
    label = forms.CharField(
        max_length=100, required=False, help_text="Who it is for (shown in this list only)."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = duration_choices()
        self.fields["expires_in_hours"].choices = choices
        self.fields["expires_in_hours"].initial = next(
            (hours for hours, _ in choices if hours == 72), choices[-1][0]
        )

    @property
    def expires_in(self) -> timedelta:
        return timedelta(hours=self.cleaned_data["expires_in_hours"])

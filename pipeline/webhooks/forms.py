"""The endpoint form: a URL the server may call (checked now and again on every delivery)."""

from django import forms
from wagtail.admin.forms import WagtailAdminModelForm

from .models import EVENT_CHOICES
from .targets import TargetRefused, url_check


class WebhookEndpointForm(WagtailAdminModelForm):
    events = forms.MultipleChoiceField(
        choices=EVENT_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The changes to send; none ticked sends all of them, also future kinds.",
    )

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            url_check(url)
        except TargetRefused as refused:
            raise forms.ValidationError(str(refused)) from None
        return url

    def clean_max_in_flight(self) -> int:
        value = self.cleaned_data["max_in_flight"]
        if not value:
            raise forms.ValidationError("Allow at least one request at a time.")
        return value

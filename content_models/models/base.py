"""The common base of every page type delivered by the API."""

from wagtail.models import Page


class ContentPage(Page):
    """A page type the delivery API knows by a short, stable `type` name."""

    api_type: str = "page"

    class Meta:
        abstract = True

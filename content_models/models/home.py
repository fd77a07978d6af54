"""The home page and the generic pages (About, News, Publications, Private Area, ...)."""

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.search import index

from ..blocks import BodyBlock
from ..rich_text import RichTextField
from .base import ContentPage


class HomePage(ContentPage):
    api_type = "home"

    intro = RichTextField(blank=True)
    body = StreamField(BodyBlock(), blank=True)

    content_panels = ContentPage.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = ContentPage.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
    ]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "content_models.StandardPage",
        "content_models.FAQIndexPage",
        "content_models.MembersIndexPage",
        "content_models.RoadmapIndexPage",
    ]
    max_count = 1


class StandardPage(ContentPage):
    """A generic section page: About ISECG, News, Publications, the Private Area..."""

    api_type = "page"

    intro = models.TextField(blank=True, help_text="A short introduction shown above the body.")
    body = StreamField(BodyBlock(), blank=True)

    content_panels = ContentPage.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = ContentPage.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
    ]

    parent_page_types = ["content_models.HomePage", "content_models.StandardPage"]
    subpage_types = ["content_models.StandardPage", "content_models.RoadmapIndexPage"]

    class Meta:
        verbose_name = "standard page"

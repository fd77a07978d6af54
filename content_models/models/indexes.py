"""What the section indexes share: the one page of its type that a section's items go under."""

from wagtail.admin.panels import FieldPanel
from wagtail.search import index

from ..rich_text import RichTextField
from .base import ContentPage


class SectionIndexPage(ContentPage):
    """An index of one section (FAQ, members, roadmap): a title and an intro, once per site.

    Each subclass still says where it goes and what it holds (`parent_page_types`,
    `subpage_types`): tests/test_page_types.py wants every page type to say so itself.
    """

    intro = RichTextField(blank=True)

    content_panels = ContentPage.content_panels + [FieldPanel("intro")]
    search_fields = ContentPage.search_fields + [index.SearchField("intro")]

    max_count = 1

    class Meta:
        abstract = True

"""The Global Exploration Roadmap: an index and a page per edition or supplement."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import StreamField
from wagtail.images.api.fields import ImageRenditionField
from wagtail.search import index

from ..blocks import BodyBlock
from ..rich_text import RichTextField
from .base import ContentPage


class RoadmapIndexPage(ContentPage):
    api_type = "roadmap_index"

    intro = RichTextField(blank=True)

    content_panels = ContentPage.content_panels + [FieldPanel("intro")]
    search_fields = ContentPage.search_fields + [index.SearchField("intro")]
    api_fields = [APIField("intro")]

    parent_page_types = ["content_models.HomePage", "content_models.StandardPage"]
    subpage_types = ["content_models.RoadmapReleasePage"]
    max_count = 1

    class Meta:
        verbose_name = "roadmap index"


class RoadmapReleasePage(ContentPage):
    """An edition of the Global Exploration Roadmap, or a supplement updating one."""

    api_type = "roadmap_release"

    class Kind(models.TextChoices):
        EDITION = "edition", "Edition"
        SUPPLEMENT = "supplement", "Supplement"

    class DatePrecision(models.TextChoices):
        DAY = "day", "Day"
        MONTH = "month", "Month"
        YEAR = "year", "Year"

    class Relation(models.TextChoices):
        SUPERSEDES = "supersedes", "Supersedes"
        UPDATES = "updates", "Updates"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.EDITION)
    edition_number = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="1, 2, 3... for editions; empty for supplements."
    )
    edition_label = models.CharField(
        max_length=100, blank=True, help_text='How the release is referred to, e.g. "Edition 3".'
    )
    release_date = models.DateField()
    release_date_precision = models.CharField(
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text="How much of the release date is known (month: only year and month).",
    )
    summary = models.TextField()
    body = StreamField(BodyBlock(), blank=True)
    document = models.ForeignKey(
        "wagtaildocs.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cover_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    previous_release = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="later_releases",
        help_text="The earlier release this one supersedes (an edition) or updates (a supplement).",
    )
    relation_to_previous = models.CharField(
        max_length=10, choices=Relation.choices, blank=True, help_text="Empty: from the kind."
    )
    contributing_agencies = ParentalManyToManyField(
        "content_models.MemberProfilePage", blank=True, related_name="roadmap_releases"
    )
    verification_note = models.CharField(max_length=255, blank=True)

    content_panels = ContentPage.content_panels + [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("kind"), FieldPanel("edition_number")]),
                FieldPanel("edition_label"),
                FieldRowPanel([FieldPanel("release_date"), FieldPanel("release_date_precision")]),
                FieldRowPanel([FieldPanel("previous_release"), FieldPanel("relation_to_previous")]),
            ],
            heading="Release",
        ),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("document"),
        FieldPanel("cover_image"),
        FieldPanel("contributing_agencies", widget=forms.CheckboxSelectMultiple),
        FieldPanel("verification_note"),
    ]
    search_fields = ContentPage.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("edition_label"),
        index.FilterField("kind"),
        index.FilterField("release_date"),
    ]
    api_fields = [
        APIField("kind"),
        APIField("edition_number"),
        APIField("edition_label"),
        APIField("release_date"),
        APIField("release_date_precision"),
        APIField("summary"),
        APIField("body"),
        APIField("document"),
        APIField("cover_image"),
        APIField(
            "cover_thumbnail", serializer=ImageRenditionField("fill-600x800", source="cover_image")
        ),
        APIField("previous_release"),
        APIField("relation_to_previous"),
        APIField("contributing_agencies"),
        APIField("verification_note"),
    ]

    parent_page_types = ["content_models.RoadmapIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = "roadmap release"

    @property
    def relation(self) -> str:
        """Return how this release relates to the previous one (supersedes or updates)."""
        if self.relation_to_previous:
            return self.relation_to_previous
        return (
            self.Relation.UPDATES if self.kind == self.Kind.SUPPLEMENT else self.Relation.SUPERSEDES
        )

    def clean(self):
        super().clean()
        if self.kind == self.Kind.EDITION and self.edition_number is None:
            raise ValidationError({"edition_number": "An edition needs its edition number."})
        previous = self.previous_release
        if previous is None:
            return
        if self.pk and previous.pk == self.pk:
            raise ValidationError({"previous_release": "A release cannot supersede itself."})
        if self.release_date and previous.release_date >= self.release_date:
            raise ValidationError(
                {
                    "previous_release": (
                        f"{previous.title} ({previous.release_date:%Y-%m}) is not earlier than "
                        "this release; a release can only supersede or update an earlier one."
                    )
                }
            )

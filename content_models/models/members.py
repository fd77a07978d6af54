"""Member agencies: an index and a profile page per agency."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django_countries.fields import CountryField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.models import Revision
from wagtail.search import index

from ..rich_text import RichTextField
from .base import ContentPage
from .indexes import SectionIndexPage

FIRST_MEMBERSHIP_YEAR = 2007  # ISECG was founded by 14 agencies in 2007.


def validate_not_future_year(year: int) -> None:
    """Refuse a year after the current one."""
    if year > timezone.now().year:
        raise ValidationError(f"{year} is in the future.", code="future_year")


class MembersIndexPage(SectionIndexPage):
    api_type = "members_index"
    parent_page_types = ["content_models.HomePage"]
    subpage_types = ["content_models.MemberProfilePage"]

    class Meta:
        verbose_name = "members index"


class MemberProfilePage(ContentPage):
    """A member agency. The page title is the agency's name."""

    api_type = "member"

    acronym = models.CharField(max_length=20, help_text="Unique, e.g. NASA.")
    country = CountryField(
        blank=True,
        help_text="ISO 3166-1 alpha-2; leave empty for an intergovernmental body such as ESA.",
    )
    logo = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    website = models.URLField(blank=True)
    year_joined = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(FIRST_MEMBERSHIP_YEAR), validate_not_future_year],
        help_text="Year the agency joined ISECG (2007 for founding members).",
    )
    iss_partner = models.BooleanField(
        "ISS partner", default=False, help_text="One of the International Space Station partners."
    )
    summary = models.TextField(blank=True)
    body = RichTextField(blank=True)
    verification_note = models.CharField(
        max_length=255,
        blank=True,
        help_text="Shown with the profile when a detail could not be confirmed by a source.",
    )

    content_panels = ContentPage.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("acronym"),
                FieldPanel("country"),
                FieldPanel("year_joined"),
                FieldPanel("iss_partner"),
                FieldPanel("website"),
            ],
            heading="Agency",
        ),
        FieldPanel("logo"),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("verification_note"),
    ]
    search_fields = ContentPage.search_fields + [
        index.SearchField("acronym", boost=3),
        index.AutocompleteField("acronym"),
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("country"),
        index.FilterField("iss_partner"),
        index.FilterField("year_joined"),
    ]

    parent_page_types = ["content_models.MembersIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = "member profile"

    def clean(self):
        super().clean()
        if self.acronym:
            self.acronym = self.acronym.strip()
            clash = self.acronym_clash()
            if clash is not None:
                raise ValidationError({"acronym": clash})

    def acronym_clash(self) -> str | None:
        """Say which other profile uses this acronym, live or in its latest draft.

        Drafts count too: otherwise two drafts could take the same acronym, and approving the
        second one in the Review workflow would fail inside the publish, with a server error.
        """
        others = MemberProfilePage.objects.exclude(pk=self.pk)
        live = others.filter(acronym__iexact=self.acronym).first()
        if live is not None:
            return f"{live.title} already uses the acronym {live.acronym}."
        draft = (
            Revision.objects.filter(
                pk__in=others.values("latest_revision"), content__acronym__iexact=self.acronym
            )
            .only("content")
            .first()
        )
        if draft is not None:
            title, acronym = draft.content["title"], draft.content["acronym"]
            return f"{title} already uses the acronym {acronym} in a draft."
        return None

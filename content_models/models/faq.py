"""The FAQ: an index and one page per section, each holding its questions in order."""

from django.db import models
from django.utils.text import slugify
from modelcluster.fields import ParentalKey
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel
from wagtail.models import Orderable
from wagtail.search import index

from ..panels import SummarisedInlinePanel
from ..rich_text import RichTextField
from .base import ContentPage
from .indexes import SectionIndexPage

ANCHOR_MAX_LENGTH = 80


def anchor_from_question(question: str) -> str:
    """Derive a readable deep-link anchor from a question's text."""
    return slugify(question)[:ANCHOR_MAX_LENGTH].strip("-") or "question"


class FAQIndexPage(SectionIndexPage):
    api_type = "faq_index"
    parent_page_types = ["content_models.HomePage"]
    subpage_types = ["content_models.FAQPage"]

    class Meta:
        verbose_name = "FAQ index"


class FAQPageForm(WagtailAdminPageForm):
    """Checks what spans the questions: every question needs its own anchor."""

    def clean(self):
        cleaned_data = super().clean()
        formset = self.formsets.get("questions")
        if formset is None or not formset.is_valid():
            return cleaned_data
        anchors = [
            form.cleaned_data.get("anchor") or anchor_from_question(form.cleaned_data["question"])
            for form in formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        repeated = sorted({anchor for anchor in anchors if anchors.count(anchor) > 1})
        if repeated:
            self.add_error(
                None, f"Each question needs its own anchor; repeated: {', '.join(repeated)}."
            )
        return cleaned_data


class FAQPage(ContentPage):
    """One FAQ section (e.g. "ISECG") and its questions, in the order editors give them."""

    api_type = "faq"

    intro = models.TextField(blank=True)

    content_panels = ContentPage.content_panels + [
        FieldPanel("intro"),
        SummarisedInlinePanel(
            "questions", heading="Questions", label="Question", summary_field="question", min_num=1
        ),
    ]
    search_fields = ContentPage.search_fields + [
        index.SearchField("intro"),
        index.RelatedFields(
            "questions",
            [index.SearchField("question"), index.SearchField("answer")],
        ),
    ]

    parent_page_types = ["content_models.FAQIndexPage"]
    subpage_types: list[str] = []
    base_form_class = FAQPageForm

    class Meta:
        verbose_name = "FAQ section"


class FAQQuestion(Orderable):
    """A question and its answer. `anchor` is its stable id: set once, kept through edits."""

    page = ParentalKey(FAQPage, on_delete=models.CASCADE, related_name="questions")
    anchor = models.SlugField(
        max_length=ANCHOR_MAX_LENGTH,
        blank=True,
        help_text=(
            "Stable id for deep links (/faq/isecg/#anchor). Generated from the question when "
            "left blank and kept when the question is reworded or moved."
        ),
    )
    question = models.CharField(max_length=500)
    answer = RichTextField()

    panels = [FieldPanel("question"), FieldPanel("answer"), FieldPanel("anchor")]

    class Meta(Orderable.Meta):
        verbose_name = "question"

    def __str__(self) -> str:
        return self.question

    def clean(self):
        super().clean()
        if not self.anchor and self.question:
            self.anchor = anchor_from_question(self.question)

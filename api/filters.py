"""Filters and ordering of each collection, declared once: applied to queries and published
in the OpenAPI schema. A bad value is a 400 naming the parameter."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django_countries import countries
from drf_spectacular.drainage import set_override
from wagtail.models import Page

from content_models.models import FAQPage, MemberProfilePage, RoadmapReleasePage

from .params import MAX_INT
from .serializers.registry import SERIALIZERS

TRUE_VALUES = {"true": True, "1": True, "false": False, "0": False}


class StrictBooleanWidget(django_filters.widgets.BooleanWidget):
    """Keep a value that is not a boolean, so the field can refuse it (the stock widget turns
    `?iss_partner=maybe` into "no filter" and answers everything)."""

    def value_from_datadict(self, data, files, name):
        raw = data.get(name)
        if isinstance(raw, str) and raw.lower() not in TRUE_VALUES:
            return raw
        return super().value_from_datadict(data, files, name)


class StrictBooleanField(forms.NullBooleanField):
    def to_python(self, value):
        if value in (None, "", True, False):
            return None if value == "" else value
        raise ValidationError("Enter true or false.", code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", StrictBooleanWidget)
        super().__init__(*args, **kwargs)


class IntegerFilter(django_filters.NumberFilter):
    """A whole number within bounds (the stock NumberFilter takes 1.5 and 1e3, and overflows
    the database driver on 20-digit values)."""

    field_class = forms.IntegerField

    def __init__(self, *args, min_value: int = 0, max_value: int = MAX_INT, **kwargs):
        kwargs.update(min_value=min_value, max_value=max_value)
        super().__init__(*args, **kwargs)
        schema = {"type": "integer", "minimum": min_value, "maximum": max_value}
        set_override(self, "field", schema)  # what drf-spectacular documents


def YearFilter(**kwargs) -> IntegerFilter:
    return IntegerFilter(min_value=1, max_value=9999, **kwargs)


class StableOrderingFilter(django_filters.OrderingFilter):
    """Ordering that ends with the id, so pages of items with equal keys (four agencies joined
    in 2007) never repeat or skip an item between `offset`s."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        return qs.order_by(*qs.query.order_by, "pk") if value else qs


class FAQFilter(django_filters.FilterSet):
    slug = django_filters.CharFilter()

    class Meta:
        model = FAQPage
        fields: list[str] = []


class MemberFilter(django_filters.FilterSet):
    country = django_filters.ChoiceFilter(
        choices=list(countries), help_text="ISO 3166-1 alpha-2 code, e.g. FR."
    )
    iss_partner = StrictBooleanFilter(help_text="true or false.")
    joined_after = YearFilter(
        field_name="year_joined", lookup_expr="gte", help_text="Joined in this year or later."
    )
    joined_before = YearFilter(
        field_name="year_joined", lookup_expr="lte", help_text="Joined in this year or earlier."
    )
    acronym = django_filters.CharFilter(lookup_expr="iexact")
    slug = django_filters.CharFilter()
    ordering = StableOrderingFilter(
        fields=(("title", "title"), ("acronym", "acronym"), ("year_joined", "joined")),
        help_text="title, acronym or joined; prefix with - for descending.",
    )

    class Meta:
        model = MemberProfilePage
        fields: list[str] = []


class RoadmapReleaseFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=RoadmapReleasePage.Kind.choices)
    year = YearFilter(field_name="release_date", lookup_expr="year", help_text="Release year.")
    slug = django_filters.CharFilter()
    ordering = StableOrderingFilter(
        fields=(("release_date", "release_date"),),
        help_text="release_date or -release_date.",
    )

    class Meta:
        model = RoadmapReleasePage
        fields: list[str] = []


PAGE_TYPES = sorted({model.api_type for model in SERIALIZERS})


class PageFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(
        choices=[(t, t) for t in PAGE_TYPES], method="filter_type", help_text="An item type."
    )
    child_of = IntegerFilter(method="filter_child_of", min_value=1, help_text="A parent page id.")
    slug = django_filters.CharFilter()

    class Meta:
        model = Page
        fields: list[str] = []

    def filter_type(self, queryset, name, value):
        models = [model for model in SERIALIZERS if model.api_type == value]
        return queryset.type(*models)

    def filter_child_of(self, queryset, name, value):
        parent = Page.objects.filter(pk=int(value)).only("path", "depth").first()
        if parent is None:
            return queryset.none()
        return queryset.child_of(parent)

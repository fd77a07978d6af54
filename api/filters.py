"""Strict filter types for the collections' filter sets (declared in each resource module):
applied to queries and published in the OpenAPI schema. A bad value is a 400 naming the
parameter, and so is an empty one (`api.views.ItemListView.filter_queryset`): to not filter,
leave the parameter out."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from drf_spectacular.drainage import set_override

from .params import MAX_INT, TEXT_PATTERN, has_control_characters

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


def refuse_control_characters(value: str) -> None:
    if has_control_characters(value):
        raise ValidationError("Must not contain control characters.", code="control_characters")


class TextField(forms.CharField):
    default_validators = [refuse_control_characters]


class TextFilter(django_filters.CharFilter):
    """Free text, never with control characters (the stock CharFilter refuses only NUL, and
    its schema allows all of them)."""

    field_class = TextField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        set_override(self, "field", {"type": "string", "minLength": 1, "pattern": TEXT_PATTERN})


class StableOrderingFilter(django_filters.OrderingFilter):
    """Ordering that ends with the id, so pages of items with equal keys (four agencies joined
    in 2007) never repeat or skip an item between `offset`s."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        return qs.order_by(*qs.query.order_by, "pk") if value else qs

"""Member agency profiles."""

from rest_framework import serializers

from .base import ItemSerializer
from .fields import ImageField, RichTextField


class MemberSerializer(ItemSerializer):
    acronym = serializers.CharField()
    country = serializers.SerializerMethodField(
        help_text="ISO 3166-1 alpha-2, or null for an intergovernmental body."
    )
    country_name = serializers.SerializerMethodField()
    logo = ImageField()
    website = serializers.CharField()
    year_joined = serializers.IntegerField(allow_null=True)
    iss_partner = serializers.BooleanField()
    summary = serializers.CharField()
    body = RichTextField()
    verification_note = serializers.CharField()

    def get_country(self, page) -> str | None:
        return page.country.code or None

    def get_country_name(self, page) -> str | None:
        return str(page.country.name) if page.country.code else None


class MemberSummarySerializer(serializers.Serializer):
    """A member agency as embedded in other items."""

    id = serializers.IntegerField()
    acronym = serializers.CharField()
    title = serializers.CharField()
    url_path = serializers.CharField()
    api_url = serializers.CharField()

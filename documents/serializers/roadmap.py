"""Roadmap releases: editions and supplements of the Global Exploration Roadmap."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..paths import api_path
from .base import ItemSerializer
from .fields import DocumentField, ImageField, PageLinkSerializer, StreamField
from .members import MemberSummarySerializer


class PreviousReleaseSerializer(PageLinkSerializer):
    """A link to the release this one supersedes or updates, saying which edition it is (all
    editions share a title)."""

    relation = serializers.ChoiceField(choices=["supersedes", "updates"])
    edition_number = serializers.IntegerField(allow_null=True)
    edition_label = serializers.CharField()
    release_date = serializers.DateField()
    release_date_precision = serializers.CharField()


class RoadmapReleaseSerializer(ItemSerializer):
    kind = serializers.CharField()
    edition_number = serializers.IntegerField(allow_null=True)
    edition_label = serializers.CharField()
    release_date = serializers.DateField()
    release_date_precision = serializers.CharField()
    summary = serializers.CharField()
    body = StreamField()
    document = DocumentField()
    cover_image = ImageField()
    previous_release = serializers.SerializerMethodField()
    contributing_agencies = serializers.SerializerMethodField()
    verification_note = serializers.CharField()

    @extend_schema_field(PreviousReleaseSerializer(allow_null=True))
    def get_previous_release(self, page):
        render = self.context["render"]
        link = render.page_link(page.previous_release_id)
        if link is None:
            return None
        previous = render.visible_page(page.previous_release_id).specific
        return {
            **link,
            "relation": page.relation,
            "edition_number": previous.edition_number,
            "edition_label": previous.edition_label,
            "release_date": previous.release_date.isoformat(),
            "release_date_precision": previous.release_date_precision,
        }

    @extend_schema_field(MemberSummarySerializer(many=True))
    def get_contributing_agencies(self, page):
        render = self.context["render"]
        ids = [agency.pk for agency in page.contributing_agencies.all()]
        agencies = sorted(render.visible_pages(ids), key=lambda a: a.specific.acronym.lower())
        return [
            {
                "id": agency.pk,
                "acronym": agency.acronym,
                "title": agency.title,
                "url_path": render.frontend_path(agency),
                "api_url": api_path("member", agency.pk),
            }
            for agency in agencies
        ]

"""The fields every delivered item carries."""

from rest_framework import serializers


class ItemSerializer(serializers.Serializer):
    """`id`, `type`, `slug`, `title`, `url_path`, `version`, publication dates and SEO fields."""

    id = serializers.IntegerField(source="pk")
    type = serializers.SerializerMethodField()
    slug = serializers.SlugField()
    title = serializers.CharField()
    url_path = serializers.SerializerMethodField()
    version = serializers.SerializerMethodField()
    published_at = serializers.DateTimeField(source="first_published_at", allow_null=True)
    last_published_at = serializers.DateTimeField(allow_null=True)
    seo_title = serializers.CharField()
    search_description = serializers.CharField()
    parent_id = serializers.SerializerMethodField()

    def get_type(self, page) -> str:
        return page.api_type

    def get_url_path(self, page) -> str:
        return self.context["render"].frontend_path(page)

    def get_version(self, page) -> int | None:
        return self.context["render"].version

    def get_parent_id(self, page) -> int | None:
        parent = page.get_parent() if page.depth and page.depth > 1 else None
        return parent.pk if parent is not None else None

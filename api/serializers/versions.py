"""Published versions of an item."""

from rest_framework import serializers


class VersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    live_until = serializers.DateTimeField(allow_null=True)
    etag = serializers.CharField(help_text="SHA-256 of the version's body: its ETag.")
    cause = serializers.ChoiceField(choices=["publish", "dependency", "move", "rebuild"])
    published_by = serializers.CharField(allow_null=True)
    revision_id = serializers.IntegerField(allow_null=True)
    api_url = serializers.CharField()


class ChangeSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    action = serializers.ChoiceField(
        choices=["published", "unpublished", "deleted", "moved", "visibility_changed"]
    )
    type = serializers.CharField()
    id = serializers.IntegerField()
    version = serializers.IntegerField(allow_null=True)
    at = serializers.DateTimeField()
    api_url = serializers.CharField()


class ChangeFeedSerializer(serializers.Serializer):
    results = ChangeSerializer(many=True)
    next = serializers.CharField(help_text="Cursor to pass as ?cursor= for the next entries.")
    next_url = serializers.CharField()
    has_more = serializers.BooleanField()


class SearchResultSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.IntegerField()
    title = serializers.CharField()
    url_path = serializers.CharField()
    api_url = serializers.CharField()
    snippet = serializers.CharField()

"""The webhook events the CMS POSTs, as OpenAPI 3.1 `webhooks` (SPECTACULAR_SETTINGS WEBHOOKS).

The bodies are built by `pipeline.webhooks.outbox`; tests/test_api_docs.py checks real payloads
against these schemas.
"""

from drf_spectacular.utils import OpenApiResponse, OpenApiWebhook, extend_schema
from rest_framework import serializers

from pipeline.models import Change
from pipeline.webhooks.models import EVENT_TYPE_PREFIX, RELEASE_PUBLISHED, TEST_EVENT_TYPE

ACTIONS = [action for action, _ in Change.Action.choices]
HEADERS = (
    "Sent with the Standard Webhooks headers `webhook-id` (the event's id: deduplicate on it), "
    "`webhook-timestamp` (Unix seconds) and `webhook-signature` (`v1,<base64 HMAC-SHA256 of "
    "id.timestamp.body>` per signing secret, space-separated). Verify before trusting the body: "
    "see *Webhooks* in the guide above."
)
ANSWERS = {
    200: OpenApiResponse(description="Received (any 2xx). Anything else is retried."),
    410: OpenApiResponse(description="Gone: the CMS disables the endpoint."),
}


class ContentEventDataSerializer(serializers.Serializer):
    seq = serializers.IntegerField(help_text="The entry's position in the change feed.")
    action = serializers.ChoiceField(choices=ACTIONS)
    type = serializers.CharField(help_text="The item's API type, e.g. `member`.")
    id = serializers.IntegerField()
    version = serializers.IntegerField(allow_null=True)
    at = serializers.DateTimeField()
    release = serializers.IntegerField(
        allow_null=True, help_text="The release it went live in, or null."
    )
    api_url = serializers.URLField(help_text="The item's absolute API URL: fetch it.")


class ContentEventSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=[EVENT_TYPE_PREFIX + action for action in ACTIONS])
    timestamp = serializers.DateTimeField()
    data = ContentEventDataSerializer()


class ReleaseEventItemSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=ACTIONS)
    type = serializers.CharField()
    id = serializers.IntegerField()
    version = serializers.IntegerField(allow_null=True)
    api_url = serializers.URLField()


class ReleaseEventDataSerializer(serializers.Serializer):
    release = serializers.IntegerField()
    title = serializers.CharField()
    published_at = serializers.DateTimeField()
    seq_from = serializers.IntegerField(help_text="The first feed entry of the release.")
    seq_to = serializers.IntegerField(help_text="The last feed entry of the release.")
    items = ReleaseEventItemSerializer(many=True)
    api_url = serializers.URLField(help_text="The release's absolute API URL.")


class ReleaseEventSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=[EVENT_TYPE_PREFIX + RELEASE_PUBLISHED])
    timestamp = serializers.DateTimeField()
    data = ReleaseEventDataSerializer()


class TestEventDataSerializer(serializers.Serializer):
    test = serializers.BooleanField(help_text="Always true: nothing changed.")
    endpoint = serializers.IntegerField(help_text="The endpoint's id in the CMS.")
    at = serializers.DateTimeField()


class TestEventSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=[TEST_EVENT_TYPE])
    timestamp = serializers.DateTimeField()
    data = TestEventDataSerializer()


CONTENT_CHANGED = OpenApiWebhook(
    name="contentChanged",
    decorator=extend_schema(
        summary="An item was published, unpublished, deleted, moved or changed visibility",
        description=(
            "One event per change-feed entry (`content.<action>`), per item in version order, "
            "at least once. " + HEADERS
        ),
        request=ContentEventSerializer,
        responses=ANSWERS,
    ),
)

RELEASE_PUBLISHED_EVENT = OpenApiWebhook(
    name="releasePublished",
    decorator=extend_schema(
        summary="A release went live: many items at once",
        description=(
            "After the `content.*` events of its items: which items changed, and their feed "
            "entries. " + HEADERS
        ),
        request=ReleaseEventSerializer,
        responses=ANSWERS,
    ),
)

TEST_EVENT = OpenApiWebhook(
    name="testEvent",
    decorator=extend_schema(
        summary="A test, sent from the admin's endpoint page",
        description=(
            "An administrator pressed *Send test event*: signed like every event, sent once "
            "(never retried); the admin shows what the receiver answered. " + HEADERS
        ),
        request=TestEventSerializer,
        responses=ANSWERS,
    ),
)

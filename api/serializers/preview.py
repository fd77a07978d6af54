"""The schema of a preview: an item of any type, in its delivery shape, plus `meta`.

Previews are rendered by the same serializers as published documents (`registry.render_data`);
the classes here only describe the response in the OpenAPI schema.
"""

from rest_framework import serializers

from .registry import SERIALIZERS


class PreviewMetaSerializer(serializers.Serializer):
    preview = serializers.BooleanField(help_text="Always true: this is a draft, not published.")
    kind = serializers.ChoiceField(
        choices=["live", "share"],
        help_text="live: the admin's preview of unsaved edits; share: a reviewer's share link.",
    )
    revision_id = serializers.IntegerField(
        allow_null=True, help_text="The revision shown (live: the one the edits started from)."
    )
    expires_at = serializers.DateTimeField(help_text="When the token stops working.")


def _preview_serializer(item: type[serializers.Serializer]) -> type[serializers.Serializer]:
    name = f"Preview{item.__name__}"
    return type(
        name,
        (item,),
        {
            "id": serializers.IntegerField(
                source="pk", allow_null=True, help_text="Null for a page that was never saved."
            ),
            "meta": PreviewMetaSerializer(),
            "__module__": __name__,
            "__doc__": "A draft in the delivery shape of its type, plus `meta`.",
        },
    )


_BY_SERIALIZER = {item: _preview_serializer(item) for item in dict.fromkeys(SERIALIZERS.values())}
# api type -> schema of its preview (one class per delivery serializer: unique component names)
PREVIEW_SERIALIZERS = {model.api_type: _BY_SERIALIZER[item] for model, item in SERIALIZERS.items()}

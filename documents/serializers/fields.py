"""Serializer fields for rendered content: rich text, images, documents, page links, streams.

Each delegates to the `RenderContext` in `context["render"]`, which resolves links for the
document's audience and records what the document embeds.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import get_attribute


def _render(field):
    return field.context["render"]


class RenditionSerializer(serializers.Serializer):
    url = serializers.URLField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class ImageSourceSerializer(serializers.Serializer):
    """One format of an image at a few widths: a `<source>` (or the `<img>`'s own srcset)."""

    type = serializers.CharField(help_text="MIME type: image/webp, then image/png or image/jpeg.")
    srcset = serializers.CharField(help_text="Ready for srcset: `url 320w, url 640w, …`.")
    renditions = RenditionSerializer(many=True)


class ImageSerializer(serializers.Serializer):
    """Schema of an image as it leaves the API (built by `RenderContext.image`)."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    alt = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    url = serializers.URLField()
    renditions = serializers.DictField(child=RenditionSerializer())
    sources = ImageSourceSerializer(
        many=True,
        help_text=(
            "Responsive renditions, WebP first then the fallback format, each at the widths of "
            "API_IMAGE_WIDTHS (320, 640, 1280) the original reaches, never upscaled; for "
            "`<picture><source type srcset><img srcset width height alt></picture>`. Empty for "
            "an SVG."
        ),
    )


class DocumentSerializer(serializers.Serializer):
    """Schema of a document as it leaves the API (built by `RenderContext.document`)."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.URLField()
    file_size = serializers.IntegerField(allow_null=True)
    content_type = serializers.CharField()


class PageLinkSerializer(serializers.Serializer):
    """Schema of a link to another item (built by `RenderContext.page_link`)."""

    id = serializers.IntegerField()
    type = serializers.CharField()
    title = serializers.CharField()
    url_path = serializers.CharField()
    api_url = serializers.CharField()


class StreamBlockSerializer(serializers.Serializer):
    """Schema of one StreamField block: `heading` (string), `paragraph` (HTML), `image`
    ({image, alt, caption}), `document` ({document, label}) or `quote` ({text, attribution})."""

    type = serializers.CharField()
    id = serializers.CharField()
    value = serializers.JSONField()


class RenderedField(serializers.Field):
    """A read-only field rendered by the document's `RenderContext`; None stays None."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        # DRF skips to_representation for None; these fields decide what None becomes.
        return get_attribute(instance, self.source_attrs)


@extend_schema_field(OpenApiTypes.STR)
class RichTextField(RenderedField):
    """HTML with internal links resolved to frontend paths and images as renditions."""

    def to_representation(self, value):
        return _render(self).rich_text(value)


@extend_schema_field(ImageSerializer(allow_null=True))
class ImageField(RenderedField):
    def to_representation(self, value):
        return _render(self).image(value)


@extend_schema_field(DocumentSerializer(allow_null=True))
class DocumentField(RenderedField):
    def to_representation(self, value):
        return _render(self).document(value)


@extend_schema_field(StreamBlockSerializer(many=True))
class StreamField(RenderedField):
    """A StreamField as a list of `{type, id, value}` blocks, media and links resolved."""

    def to_representation(self, value):
        render = _render(self)
        return [
            {"type": block.block_type, "id": block.id, "value": _block_value(render, block)}
            for block in value
        ]


def _block_value(render, block):
    value = block.value
    kind = block.block_type
    if kind == "paragraph":
        return render.rich_text(value.source)
    if kind == "image":
        return {
            "image": render.image(value.get("image"), alt=value.get("alt") or None),
            "caption": value.get("caption", ""),
        }
    if kind == "document":
        return {"document": render.document(value.get("document")), "label": value.get("label")}
    return block.block.get_api_representation(value)

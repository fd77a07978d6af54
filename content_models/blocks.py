"""StreamField blocks shared by the page types."""

from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

from .rich_text import validate_rich_text


class ImageBlock(blocks.StructBlock):
    """An image with an optional caption; alt text comes from the image unless overridden."""

    image = ImageChooserBlock()
    alt = blocks.CharBlock(required=False, help_text="Overrides the image's own alt text.")
    caption = blocks.CharBlock(required=False)

    class Meta:
        icon = "image"


class DocumentBlock(blocks.StructBlock):
    """A link to a document from the library, e.g. a PDF."""

    document = DocumentChooserBlock()
    label = blocks.CharBlock(required=False)

    class Meta:
        icon = "doc-full"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock()
    attribution = blocks.CharBlock(required=False)

    class Meta:
        icon = "openquote"


class BodyBlock(blocks.StreamBlock):
    """The body of generic pages and roadmap releases."""

    heading = blocks.CharBlock(form_classname="title", icon="title")
    paragraph = blocks.RichTextBlock(icon="pilcrow", validators=[validate_rich_text])
    image = ImageBlock()
    document = DocumentBlock()
    quote = QuoteBlock()

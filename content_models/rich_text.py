"""What rich text may refer to: links and embeds that the delivery can render.

Draftail stores links and images as references (`<a linktype="page" id="3">`,
`<embed embedtype="image" id="7" format="left"/>`). A crafted post can store a reference that
nothing resolves: an image format that does not exist, an id that is not a number, an embed or
link type nobody handles. `validate_rich_text` refuses them when an editor saves, with a message
saying what to fix: it validates the form fields of every rich-text field (`RichTextField` here)
and block editors use.

It is a form validator, not a model one: Wagtail validates a page's model when it publishes, and
a revision already stored (by an import, or before this check) must still publish. Rendering
(`documents.rendering`) and the admin's editor (`wagtail_hooks`) never fail on such a reference.
"""

from collections.abc import Iterator

from django.core.exceptions import ValidationError
from wagtail import fields
from wagtail.images import get_image_model
from wagtail.images.formats import get_image_formats
from wagtail.rich_text.rewriters import FIND_A_TAG, FIND_EMBED_TAG, extract_attrs

MAX_ID = 2**63 - 1  # the largest primary key a database holds; a larger one breaks a query
LINK_TYPES = {"page", "document"}  # links to an object by id; other links only have an href
EMBED_TYPES = {"image"}  # what documents.rendering renders (other embeds would vanish)
# The format an image embed without a known one is shown in, by the API and in the editor.
DEFAULT_IMAGE_FORMAT = "fullwidth"
# What the editor (`editor.RichTextEditor`) reads from a post it cannot convert; refused below.
UNREADABLE = '<embed embedtype="unreadable-editor-data"/>'


def stored_id(value) -> int | None:
    """Return a stored reference's id as an int, or None when no database row could have it."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


class RichTextField(fields.RichTextField):
    """Wagtail's rich-text field, whose admin form refuses references nothing can render."""

    def formfield(self, **kwargs):
        field = super().formfield(**kwargs)
        field.validators.append(validate_rich_text)
        return field


def validate_rich_text(html: str) -> None:
    """Refuse rich text whose links or embeds the delivery cannot render."""
    if html == UNREADABLE:
        raise ValidationError(
            "The editor sent text that could not be read: reload the page and try again.",
            code="rich_text_unreadable",
        )
    problems = [*_link_problems(html or ""), *_embed_problems(html or "")]
    if problems:
        raise ValidationError([ValidationError(p, code="rich_text_reference") for p in problems])


def _link_problems(html: str) -> Iterator[str]:
    for match in FIND_A_TAG.finditer(html):
        attrs = extract_attrs(match.group(1))
        link_type = attrs.get("linktype")
        if link_type is None:
            continue
        if link_type not in LINK_TYPES:
            yield f"A link has the unknown type {link_type!r}: remove it and link the words again."
        elif stored_id(attrs.get("id")) is None:
            yield (
                f"A link to a {link_type} has no valid {link_type} id "
                f"({attrs.get('id')!r}): remove it and link the words again."
            )


def _embed_problems(html: str) -> Iterator[str]:
    images = []
    for match in FIND_EMBED_TAG.finditer(html):
        attrs = extract_attrs(match.group(1))
        embed_type = attrs.get("embedtype")
        if embed_type not in EMBED_TYPES:
            yield (
                f"The text embeds {embed_type or 'something without a type'!r}, which the API "
                "does not deliver: only images can be embedded. Remove it."
            )
        else:
            images.append(attrs)
    yield from _image_problems(images)


def _image_problems(embeds: list[dict]) -> Iterator[str]:
    formats = {image_format.name: image_format for image_format in get_image_formats()}
    ids = {stored_id(attrs.get("id")) for attrs in embeds} - {None}
    existing = set(get_image_model().objects.filter(pk__in=ids).values_list("pk", flat=True))
    for attrs in embeds:
        image_id = stored_id(attrs.get("id"))
        if image_id is None:
            yield (
                f"An image in the text has no valid image id ({attrs.get('id')!r}): remove it "
                "and choose the image again."
            )
        elif image_id not in existing:
            yield f"The image {image_id} in the text no longer exists: remove it from the text."
        if attrs.get("format") not in formats:
            names = ", ".join(str(image_format.label) for image_format in formats.values())
            yield (
                f"An image in the text has the format {attrs.get('format')!r}, which does not "
                f"exist: choose one of {names}."
            )

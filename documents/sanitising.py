"""The HTML that rich text may deliver: what Wagtail's editor produces, nothing that runs.

The admin's editor cannot produce a script, an event handler or a `javascript:` link, but stored
rich text also arrives through data imports and direct database writes, and frontends insert it
as HTML. So every rich-text value is cleaned when a document is rendered (ammonia, through
nh3), after its links and images are rendered: the allow-list names what `RenderContext` emits
(`<a href data-page-id>`, `<picture>` with a WebP `<source>` around
`<img src srcset sizes width height alt class>`), not what is stored (`<embed>`,
`<a linktype id>`).
"""

import nh3
from wagtail.whitelist import ALLOWED_URL_SCHEMES

# Every tag a Wagtail rich-text feature produces (the default ones and the optional ones, so that
# enabling a feature never needs a change here), plus the rendered links and images.
TAGS = {
    "p",
    "br",
    "hr",
    *(f"h{level}" for level in range(1, 7)),
    "b",
    "strong",
    "i",
    "em",
    "s",
    "sup",
    "sub",
    "code",
    "blockquote",
    "ol",
    "ul",
    "li",
    "a",
    "img",
    "picture",
    "source",
}
ATTRIBUTES = {
    "*": {"data-block-key"},  # Draftail's id of each block (for the admin's comments)
    "a": {"href", "data-page-id"},
    "img": {"src", "srcset", "sizes", "width", "height", "alt", "class"},
    "source": {"type", "srcset", "sizes"},
}

_cleaner = nh3.Cleaner(
    tags=TAGS,
    attributes=ATTRIBUTES,
    url_schemes=set(ALLOWED_URL_SCHEMES),
    link_rel=None,  # delivered links stay as editors wrote them; frontends decide about rel
    strip_comments=True,
)


def html_clean(html: str) -> str:
    """Return rendered rich text without anything the allow-list does not name.

    Ammonia writes a no-break space as `&nbsp;`; it goes back to the character (the same
    text, in text and in attribute values alike), so that clean content leaves byte for byte
    as it did before it was cleaned.
    """
    return _cleaner.clean(html).replace("&nbsp;", "\N{NO-BREAK SPACE}")

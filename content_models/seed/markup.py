"""The data file's rich-text markup, and its conversion to Wagtail's stored rich-text HTML.

Rich text in the file is a list of blocks: each block a paragraph, or a list when all its lines
start with "- ". Inside a block, `[words](target)` is a link: `page:PATH` names a page of the
file (PATH: its slugs below home joined by "/"), anything else must be a URL. Wagtail stores a
page link by page id (`<a linktype="page" id="...">`), so conversion needs the pages' ids.
"""

import html
import re
from collections.abc import Mapping

Blocks = list[str]  # rich text: one paragraph (or "- " list) per item, with [words](target) links

LINK = re.compile(r"\[([^\]\n]+)\]\(([^()\s]+)\)")
PAGE_LINK_PREFIX = "page:"
EXTERNAL_LINK_PREFIXES = ("https://", "http://", "mailto:")


def link_targets(block: str) -> list[str]:
    """Return the target of each link in `block`, in order."""
    return [target for _words, target in LINK.findall(block)]


def blocks_html(blocks: Blocks, page_ids: Mapping[str, int]) -> str:
    """Render rich-text blocks as Wagtail's stored HTML, page links by id."""
    return "".join(_block_html(block, page_ids) for block in blocks)


def _block_html(block: str, page_ids: Mapping[str, int]) -> str:
    lines = block.split("\n")
    if all(line.startswith("- ") for line in lines):
        items = "".join(f"<li>{_inline_html(line[2:], page_ids)}</li>" for line in lines)
        return f"<ul>{items}</ul>"
    return f"<p>{_inline_html(block, page_ids)}</p>"


def _inline_html(text: str, page_ids: Mapping[str, int]) -> str:
    parts, position = [], 0
    for match in LINK.finditer(text):
        words, target = html.escape(match.group(1), quote=False), match.group(2)
        parts.append(html.escape(text[position : match.start()], quote=False))
        if target.startswith(PAGE_LINK_PREFIX):
            page_id = page_ids[target.removeprefix(PAGE_LINK_PREFIX)]
            parts.append(f'<a linktype="page" id="{page_id}">{words}</a>')
        else:
            parts.append(f'<a href="{html.escape(target)}">{words}</a>')
        position = match.end()
    parts.append(html.escape(text[position:], quote=False))
    return "".join(parts)

"""How content leaves the API: frontend paths, links, rich text, images and documents.

Documents are rendered once, at publish time (or for a preview), by the serializers in
`documents.serializers`. A `RenderContext` carries what that needs: whom the document is for (its
audience decides which links and embedded pages may appear), absolute URLs for media, and the
set of objects the document embeds, which the pipeline records so that a change to any of them
re-renders it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from functools import cached_property
from html import escape

from django.conf import settings
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.exceptions import InvalidFilterSpecError
from wagtail.images.formats import Format, get_image_formats
from wagtail.images.models import SourceImageIOError
from wagtail.models import Page
from wagtail.rich_text.rewriters import EmbedRewriter, LinkRewriter, MultiRuleRewriter

from content_models.rich_text import DEFAULT_IMAGE_FORMAT, stored_id

from .audience import PUBLIC, Audience, audience_covers, audience_for_page
from .paths import api_path, frontend_path, site_root_url_path
from .sanitising import html_clean

logger = logging.getLogger(__name__)


def page_type_of(page: Page) -> str:
    """Return the API `type` of a page (its model's `api_type`)."""
    return getattr(page.specific_class or type(page), "api_type", "page")


class RenderContext:
    """What rendering one document needs, and what it found the document depends on.

    `pages` stands other objects in for some pages when the document links to or embeds them:
    a release preview passes each page of the release as its pinned revision (None for a page
    the release unpublishes), so documents show the site as it will be once the release is
    published. Every other page resolves to its live row.
    """

    def __init__(
        self,
        *,
        audience: Audience = PUBLIC,
        version: int | None = None,
        pages: Mapping[int, Page | None] | None = None,
    ):
        self.audience = audience
        self.version = version
        self.dependencies: set[tuple[str, int]] = set()
        self._page_cache: dict[int, Page | None] = {}
        self._audience_cache: dict[int, Audience] = {}
        self._stand_ins: Mapping[int, Page | None] = pages or {}

    # URLs -----------------------------------------------------------------------------------

    @cached_property
    def _root_url_path(self) -> str:
        return site_root_url_path() or "/"

    def frontend_path(self, page: Page) -> str:
        """Return the path a frontend serves the page at, e.g. `/members/nasa/`."""
        return frontend_path(page.url_path, self._root_url_path)

    @staticmethod
    def absolute(url: str) -> str:
        """Return a media or document URL that works from any origin."""
        if url.startswith(("http://", "https://")):
            return url
        return settings.API_PUBLIC_BASE_URL.rstrip("/") + url

    # Pages ----------------------------------------------------------------------------------

    def depend(self, kind: str, target_id: int) -> None:
        self.dependencies.add((kind, int(target_id)))

    def visible_page(self, page_or_id: Page | int | None) -> Page | None:
        """Return the page if everyone who may read this document may read it too, else None.

        Records the dependency either way: when the target becomes visible, or stops being
        visible, this document is rendered again.
        """
        if page_or_id is None:
            return None
        page_id = page_or_id if isinstance(page_or_id, int) else page_or_id.pk
        if page_id is None:
            return None
        self.depend("page", page_id)
        if page_id not in self._page_cache:
            self._load_pages([page_id])
        return self._page_cache[page_id]

    def visible_pages(self, ids: Iterable[int]) -> list[Page]:
        """Return the visible pages among these ids, in order, loading them in one query."""
        ids = list(ids)
        for page_id in ids:
            self.depend("page", page_id)
        self._load_pages([i for i in ids if i not in self._page_cache])
        return [p for p in (self._page_cache[i] for i in ids) if p is not None]

    def _load_pages(self, ids: list[int]) -> None:
        if not ids:
            return
        rows = [i for i in ids if i not in self._stand_ins]
        live = {}
        if rows:
            live = {p.pk: p for p in Page.objects.filter(pk__in=rows, live=True).specific()}
        for page_id in ids:
            page = self._stand_ins[page_id] if page_id in self._stand_ins else live.get(page_id)
            if page is not None and not audience_covers(self.audience, audience_for_page(page)):
                page = None
            self._page_cache[page_id] = page

    def page_link(self, page_or_id: Page | int | None) -> dict | None:
        """Return a link to a page, or None when this document's readers may not see it."""
        page = self.visible_page(page_or_id)
        if page is None:
            return None
        page_type = page_type_of(page)
        return {
            "id": page.pk,
            "type": page_type,
            "title": page.title,
            "url_path": self.frontend_path(page),
            "api_url": api_path(page_type, page.pk),
        }

    # Rich text ------------------------------------------------------------------------------

    def rich_text(self, html: str | None) -> str:
        """Return display HTML: internal links resolved to frontend paths, images rendered,
        and nothing a browser would run (see `sanitising`)."""
        if not html:
            return ""
        rewriter = MultiRuleRewriter(
            [
                LinkRewriter(
                    bulk_rules={"page": self._page_links, "document": self._document_links}
                ),
                EmbedRewriter(bulk_rules={"image": self._image_embeds}),
            ]
        )
        return html_clean(rewriter(html))

    def _page_links(self, attrs_list: list[dict]) -> list[str]:
        ids = [stored_id(attrs.get("id")) for attrs in attrs_list]
        self.visible_pages(i for i in ids if i is not None)
        tags = []
        for page_id in ids:
            page = self._page_cache.get(page_id) if page_id is not None else None
            if page is None:
                tags.append("<a>")  # keep the words, drop a link the reader could not follow
            else:
                tags.append(
                    f'<a href="{escape(self.frontend_path(page))}" data-page-id="{page.pk}">'
                )
        return tags

    def _document_links(self, attrs_list: list[dict]) -> list[str]:
        ids = [stored_id(attrs.get("id")) for attrs in attrs_list]
        documents = get_document_model().objects.in_bulk([i for i in ids if i is not None])
        tags = []
        for document_id in ids:
            if document_id is not None:
                self.depend("document", document_id)
            document = documents.get(document_id)
            if document is None:
                tags.append("<a>")
            else:
                tags.append(f'<a href="{escape(self.absolute(document.url))}">')
        return tags

    def _image_embeds(self, attrs_list: list[dict]) -> list[str]:
        """Render image embeds; one that stored data broke is dropped or degraded, and logged.

        Rendering never raises on what is stored: the admin refuses bad embeds, but imports and
        older revisions may hold them, and they must still publish and preview.
        """
        ids = [stored_id(attrs.get("id")) for attrs in attrs_list]
        images = get_image_model().objects.in_bulk([i for i in ids if i is not None])
        tags = []
        for attrs, image_id in zip(attrs_list, ids, strict=True):
            if image_id is None:
                logger.warning("Dropped an image embed without a valid id: %r", attrs)
                tags.append("")
                continue
            self.depend("image", image_id)
            image = images.get(image_id)
            tags.append("" if image is None else self._image_tag(image, attrs))
        return tags

    def _image_tag(self, image, attrs: dict) -> str:
        image_format = _image_format(attrs.get("format"))
        try:
            rendition = image.get_rendition(image_format.filter_spec)
        except (SourceImageIOError, InvalidFilterSpecError) as error:
            logger.warning("Dropped the embed of image %s: %s", image.pk, error)
            return ""
        alt = attrs.get("alt") or image.default_alt_text
        css_class = f' class="{escape(image_format.classname)}"' if image_format.classname else ""
        sources = self._sources(image, max_width=rendition.width)
        img = (
            f'<img src="{escape(self.absolute(rendition.url))}" width="{rendition.width}" '
            f'height="{rendition.height}" alt="{escape(alt)}"{css_class}'
        )
        if not sources:
            return img + ">"
        sizes = f"(max-width: {rendition.width}px) 100vw, {rendition.width}px"
        webp, fallback = sources
        return (
            f'<picture><source type="{webp["type"]}" srcset="{escape(webp["srcset"])}" '
            f'sizes="{sizes}">{img} srcset="{escape(fallback["srcset"])}" sizes="{sizes}">'
            "</picture>"
        )

    # Images and documents -------------------------------------------------------------------

    def image(self, image, alt: str | None = None) -> dict | None:
        """Return an image with its configured renditions, never a bare id."""
        if image is None:
            return None
        self.depend("image", image.pk)
        specs = settings.API_IMAGE_RENDITIONS
        source_specs = _source_specs(image)
        renditions = image.get_renditions(
            *specs.values(), *(spec for _, specs_of in source_specs for spec in specs_of)
        )
        return {
            "id": image.pk,
            "title": image.title,
            "alt": alt or image.default_alt_text,
            "width": image.width,
            "height": image.height,
            "url": self.absolute(image.file.url),
            "renditions": {
                name: {
                    "url": self.absolute(renditions[spec].url),
                    "width": renditions[spec].width,
                    "height": renditions[spec].height,
                }
                for name, spec in specs.items()
            },
            "sources": self._source_entries(source_specs, renditions),
        }

    def _sources(self, image, *, max_width: int) -> list[dict]:
        """Return an image's responsive sources up to a width (rendered now, at publish)."""
        source_specs = _source_specs(image, max_width=max_width)
        if not source_specs:
            return []
        renditions = image.get_renditions(
            *(spec for _, specs_of in source_specs for spec in specs_of)
        )
        return self._source_entries(source_specs, renditions)

    def _source_entries(self, source_specs, renditions) -> list[dict]:
        entries = []
        for mime, specs_of in source_specs:
            chosen = [renditions[spec] for spec in specs_of]
            entries.append(
                {
                    "type": mime,
                    "srcset": ", ".join(f"{self.absolute(r.url)} {r.width}w" for r in chosen),
                    "renditions": [
                        {"url": self.absolute(r.url), "width": r.width, "height": r.height}
                        for r in chosen
                    ],
                }
            )
        return entries

    def document(self, document) -> dict | None:
        """Return a document's URL, size and content type."""
        if document is None:
            return None
        self.depend("document", document.pk)
        return {
            "id": document.pk,
            "title": document.title,
            "url": self.absolute(document.url),
            "file_size": document.get_file_size(),
            "content_type": document.content_type,
        }


def responsive_widths(width: int, widths: Iterable[int]) -> list[int]:
    """Return the widths to render an image `width` pixels wide at: those of `widths` below it,
    then the largest it reaches (its own width when it is narrower than the largest)."""
    widths = sorted(widths)
    chosen = [w for w in widths if w < width]
    top = min(width, widths[-1])
    return chosen if top in chosen else [*chosen, top]


def _source_specs(image, *, max_width: int | None = None) -> list[tuple[str, list[str]]]:
    """Return (MIME type, filter specs by width) of an image's responsive sources: WebP, then
    the original's format (JPEG stays JPEG, anything else becomes PNG). None for an SVG."""
    if image.is_svg():
        return []
    width = min(image.width, max_width) if max_width else image.width
    widths = responsive_widths(width, settings.API_IMAGE_WIDTHS)
    name = (image.file.name or "").lower()
    fallback = "jpeg" if name.endswith((".jpg", ".jpeg")) else "png"
    return [
        (f"image/{fmt}", [f"width-{w}|format-{fmt}" for w in widths]) for fmt in ("webp", fallback)
    ]


def _image_format(name: str | None) -> Format:
    """Return the named image format; an unknown one degrades to the default, logged."""
    formats = {image_format.name: image_format for image_format in get_image_formats()}
    if name is not None and name not in formats:
        logger.warning("Image embed format %r is unknown; shown as %r", name, DEFAULT_IMAGE_FORMAT)
    return formats.get(name) or formats[DEFAULT_IMAGE_FORMAT]


def audience_of(page: Page) -> Audience:
    """Return the audience a document for this page is rendered for."""
    if page.pk is None and page.path == "":
        return PUBLIC
    return audience_for_page(page)

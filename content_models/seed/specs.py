"""What `parse` makes of the data file and `apply` writes: plain data, and where it came from.

Nothing here reads the file or touches the database, so both sides (and tests) share one shape.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from wagtail.models import Page

from .markup import Blocks


class ContentDataError(Exception):
    """A problem in the data file, located by file, item and field, on one line."""

    def __init__(self, *, file: str, message: str, item: str = "", field: str = ""):
        self.file, self.item, self.field, self.message = file, item, field, message
        super().__init__(": ".join(part for part in (file, item, field, message) if part))


@dataclass(frozen=True)
class Where:
    """Where an item sits in the data file, to say so in an error."""

    file: str
    item: str

    def error(self, field: str, message: str) -> ContentDataError:
        return ContentDataError(file=self.file, item=self.item, field=field, message=message)

    def child(self, item: str) -> "Where":
        return Where(self.file, f"{self.item}.{item}" if self.item else item)


@contextmanager
def model_errors(where: Where) -> Iterator[None]:
    """Turn a model's ValidationError into a ContentDataError naming the item and field."""
    try:
        yield
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            name, errors = next(iter(error.message_dict.items()))
            message = errors[0]
        else:
            name, message = NON_FIELD_ERRORS, error.messages[0]
        raise where.error("" if name == NON_FIELD_ERRORS else name, message) from None


@dataclass(frozen=True)
class MediaSpec:
    """A generated placeholder file: an image (with alt text) or a document, found by title."""

    kind: str  # "image" or "document"
    title: str
    filename: str
    render: Callable[[], bytes]
    description: str = ""


@dataclass(frozen=True)
class QuestionSpec:
    anchor: str
    question: str
    answer: Blocks


@dataclass
class PageSpec:
    """One page as the data file wants it. References to other items are resolved at load."""

    where: Where
    section: str
    model: type[Page]
    ref: str  # its slugs below home joined by "/"; "" for home
    fields: dict[str, Any]  # plain model fields
    rich: dict[str, Blocks] = field(default_factory=dict)  # rich-text model fields
    body: list[tuple[str, Any]] | None = None  # StreamField blocks: (type, text or Blocks)
    questions: list[QuestionSpec] | None = None
    links: dict[str, str | None] = field(default_factory=dict)  # foreign key -> page ref
    many: dict[str, list[str]] = field(default_factory=dict)  # many-to-many -> page refs
    media: dict[str, MediaSpec] = field(default_factory=dict)  # foreign key -> media
    restricted_to_groups: list[str] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return self.ref.rsplit("/", 1)[-1]

    @property
    def parent_ref(self) -> str:
        return self.ref.rpartition("/")[0]


@dataclass
class SiteContent:
    """The whole data file, checked: pages in tree order, parents before children."""

    file: str
    pages: list[PageSpec]

    def media(self) -> list[MediaSpec]:
        return [media for spec in self.pages for media in spec.media.values()]

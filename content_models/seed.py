"""Load the ISECG site's starter content from its data file (`content_models/data/isecg.yaml`).

Two services, callable from a command, a test or a task alike:

- `content_read()` parses and checks the whole file (structure, required fields, each item's
  field values against the models, references between items) before anything is written, and
  raises `ContentDataError` naming the file, the item and the field.
- `content_load()` writes it in one transaction. Pages are matched by slug under their parent;
  missing ones are created, and a page is published (through Wagtail's revisions, so
  `page_published` fires) only when its content differs from what is live. A second run
  publishes nothing: every publish becomes an API version and a webhook delivery.

Pages that people have changed in the admin since (a published edit, or a draft in progress)
are kept as they are unless `overwrite` is set: `make run` loads the file on every start.
"""

import datetime
import hashlib
import html
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth.models import Group
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.rich_text import RichText

from . import placeholders
from .models import (
    FAQIndexPage,
    FAQPage,
    FAQQuestion,
    HomePage,
    MemberProfilePage,
    MembersIndexPage,
    RoadmapIndexPage,
    RoadmapReleasePage,
    StandardPage,
)
from .models.faq import anchor_from_question

DEFAULT_DATA_FILE = Path(__file__).resolve().parent / "data" / "isecg.yaml"

PAGE_TYPES: dict[str, type[Page]] = {
    "standard": StandardPage,
    "faq_index": FAQIndexPage,
    "members_index": MembersIndexPage,
    "roadmap_index": RoadmapIndexPage,
}
BODY_BLOCK_TYPES = ("heading", "paragraph")
LINK = re.compile(r"\[([^\]\n]+)\]\(([^()\s]+)\)")
EXTERNAL_LINK_PREFIXES = ("https://", "http://", "mailto:")

Blocks = list[str]  # rich text: one paragraph (or "- " list) per item, with [words](target) links


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


@dataclass
class SectionReport:
    name: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # differs, but edited in the admin since


@dataclass
class LoadReport:
    dry_run: bool
    sections: dict[str, SectionReport] = field(default_factory=dict)

    def section(self, name: str) -> SectionReport:
        return self.sections.setdefault(name, SectionReport(name))

    @property
    def changed(self) -> bool:
        return any(s.created or s.updated for s in self.sections.values())


# Reading and checking the file -------------------------------------------------------------------


def content_read(*, path: Path) -> SiteContent:
    """Parse and check the whole data file; raise `ContentDataError` at the first problem."""
    file = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ContentDataError(file=file, message=f"cannot read the file: {error}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ContentDataError(file=file, message=_yaml_problem(error)) from None
    return _content_parse(data, file=file)


def display_path(path: Path) -> str:
    """Return `path` relative to the working directory when it is inside it, for messages."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _yaml_problem(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    problem = " ".join(str(problem).split())
    if mark is None:
        return f"invalid YAML: {problem}"
    return f"line {mark.line + 1}, column {mark.column + 1}: invalid YAML: {problem}"


def _content_parse(data: Any, *, file: str) -> SiteContent:
    top = Where(file, "")
    data = _mapping(
        data,
        where=top,
        required={"home", "pages"},
        optional={"faq_sections", "members", "releases"},
    )
    specs = [_home_parse(data["home"], where=Where(file, "home"))]
    specs += _pages_parse(data["pages"], where=top, key="pages", parent_ref="")
    index_refs = _index_refs(specs)
    members = _members_parse(data.get("members") or [], where=top, parent=index_refs)
    specs += members
    specs += _faq_sections_parse(data.get("faq_sections") or [], where=top, parent=index_refs)
    acronyms = {spec.fields["acronym"].lower(): spec.ref for spec in members}
    specs += _releases_parse(
        data.get("releases") or [], where=top, parent=index_refs, acronyms=acronyms
    )
    _references_check(specs)
    for spec in specs:
        _fields_check(spec)
    return SiteContent(file=file, pages=specs)


def _mapping(value: Any, *, where: Where, required: set[str], optional: set[str]) -> dict:
    """Check that `value` is a mapping with the required keys and no unknown ones."""
    if not isinstance(value, dict):
        raise where.error("", f"expected a mapping of fields, got {_kind(value)}.")
    unknown = sorted(set(value) - required - optional, key=str)
    if unknown:
        known = ", ".join(sorted(required | optional))
        raise where.error(str(unknown[0]), f"unknown field (known fields: {known}).")
    for key in sorted(required):
        if value.get(key) in (None, "", [], {}):
            raise where.error(key, "This field is required.")
    return value


def _list(value: Any, *, where: Where, key: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise where.error(key, f"expected a list, got {_kind(value)}.")
    return value


def _kind(value: Any) -> str:
    names = {dict: "a mapping", list: "a list", str: "a text", bool: "a boolean", int: "a number"}
    if value is None:
        return "nothing"
    return names.get(type(value), type(value).__name__)


def _text(data: dict, key: str, *, where: Where, default: str = "") -> str:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        hint = ' (quote it: "NO" unquoted is a boolean in YAML)' if isinstance(value, bool) else ""
        raise where.error(key, f"expected a text, got {_kind(value)}{hint}.")
    return value


def _bool(data: dict, key: str, *, where: Where, default: bool = False) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise where.error(key, f"expected true or false, got {_kind(value)}.")
    return value


def _int(data: dict, key: str, *, where: Where) -> int | None:
    value = data.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise where.error(key, f"expected a whole number or nothing, got {_kind(value)}.")
    return value


def _date(data: dict, key: str, *, where: Where) -> datetime.date:
    value = data.get(key)
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise where.error(key, f"expected a date as YYYY-MM-DD, got {value!r}.")


def _text_list(data: dict, key: str, *, where: Where) -> list[str]:
    values = _list(data.get(key), where=where, key=key)
    for value in values:
        if not isinstance(value, str) or not value:
            raise where.error(key, f"expected a list of texts, found {_kind(value)}.")
    return values


def _rich(value: Any, *, where: Where, key: str) -> Blocks:
    """Read rich text: a text, or a list of texts (one paragraph each)."""
    if value is None or value == "":
        return []
    blocks = [value] if isinstance(value, str) else value
    if not isinstance(blocks, list) or not all(isinstance(b, str) and b for b in blocks):
        raise where.error(key, "expected a text or a list of texts (one per paragraph).")
    for block in blocks:
        for _words, target in LINK.findall(block):
            if not target.startswith(("page:", *EXTERNAL_LINK_PREFIXES)):
                raise where.error(key, f"link target {target!r} is neither page:PATH nor a URL.")
    return blocks


def _body(value: Any, *, where: Where) -> list[tuple[str, Any]]:
    blocks = []
    for index, item in enumerate(_list(value, where=where, key="body")):
        if not isinstance(item, dict) or len(item) != 1:
            raise where.error(f"body[{index}]", "expected one `heading:` or `paragraph:`.")
        ((block_type, content),) = item.items()
        if block_type == "heading" and isinstance(content, str) and content:
            blocks.append(("heading", content))
        elif block_type == "paragraph":
            blocks.append(("paragraph", _rich(content, where=where, key=f"body[{index}]")))
        else:
            raise where.error(f"body[{index}]", f"expected a heading or a paragraph, got {item}.")
    return blocks


def _home_parse(data: Any, *, where: Where) -> PageSpec:
    data = _mapping(data, where=where, required={"title"}, optional={"intro", "body"})
    return PageSpec(
        where=where,
        section="Home",
        model=HomePage,
        ref="",
        fields={"title": _text(data, "title", where=where)},
        rich={"intro": _rich(data.get("intro"), where=where, key="intro")},
        body=_body(data.get("body"), where=where),
    )


def _pages_parse(items: Any, *, where: Where, key: str, parent_ref: str) -> list[PageSpec]:
    """Read the section pages and their children, depth first, in navigation order."""
    specs: list[PageSpec] = []
    for index, data in enumerate(_list(items, where=where, key=key)):
        slug = data.get("slug") if isinstance(data, dict) else None
        item = where.child(f"{key}[{index}]" + (f" ({slug})" if slug else ""))
        data = _mapping(
            data,
            where=item,
            required={"slug", "title"},
            optional={"type", "intro", "body", "show_in_menus", "restricted_to_groups", "children"},
        )
        page_type = _text(data, "type", where=item, default="standard")
        model = PAGE_TYPES.get(page_type)
        if model is None:
            raise item.error("type", f"unknown page type {page_type!r} ({', '.join(PAGE_TYPES)}).")
        spec = PageSpec(
            where=item,
            section="Pages",
            model=model,
            ref=_child_ref(parent_ref, _text(data, "slug", where=item)),
            fields={
                "title": _text(data, "title", where=item),
                "show_in_menus": _bool(data, "show_in_menus", where=item),
            },
            restricted_to_groups=_text_list(data, "restricted_to_groups", where=item),
        )
        if model is StandardPage:
            spec.fields["intro"] = _text(data, "intro", where=item)
            spec.body = _body(data.get("body"), where=item)
        else:
            if "body" in data:
                raise item.error("body", f"a {page_type} page has no body, only an intro.")
            spec.rich["intro"] = _rich(data.get("intro"), where=item, key="intro")
        specs.append(spec)
        specs += _pages_parse(data.get("children"), where=item, key="children", parent_ref=spec.ref)
    _unique([spec.ref for spec in specs], specs, field="slug")
    return specs


def _child_ref(parent_ref: str, slug: str) -> str:
    return f"{parent_ref}/{slug}" if parent_ref else slug


def _unique(values: list[str], specs: list[PageSpec], *, field: str) -> None:
    seen: set[str] = set()
    for value, spec in zip(values, specs, strict=True):
        if value.lower() in seen:
            raise spec.where.error(field, f"{value!r} is used twice.")
        seen.add(value.lower())


def _index_refs(specs: list[PageSpec]) -> dict[type[Page], str]:
    """Return the ref of the one page of each index type: where its items go."""
    refs: dict[type[Page], str] = {}
    for spec in specs:
        if spec.model in (FAQIndexPage, MembersIndexPage, RoadmapIndexPage):
            if spec.model in refs:
                raise spec.where.error("type", "there can be only one page of this type.")
            refs[spec.model] = spec.ref
    return refs


def _index_ref(parent: dict[type[Page], str], model: type[Page], *, where: Where, key: str) -> str:
    if model not in parent:
        type_name = next(name for name, cls in PAGE_TYPES.items() if cls is model)
        raise where.error(key, f"needs a page of type {type_name} in pages to go under.")
    return parent[model]


def _members_parse(items: Any, *, where: Where, parent: dict) -> list[PageSpec]:
    items = _list(items, where=where, key="members")
    if not items:
        return []
    parent_ref = _index_ref(parent, MembersIndexPage, where=where, key="members")
    specs = []
    for index, data in enumerate(items):
        acronym = data.get("acronym") if isinstance(data, dict) else None
        item = Where(where.file, f"members[{index}]" + (f" ({acronym})" if acronym else ""))
        data = _mapping(
            data,
            where=item,
            required={"acronym", "title", "summary"},
            optional={
                "slug", "country", "year_joined", "iss_partner", "website", "body",
                "verification_note",
            },
        )  # fmt: skip
        acronym = _text(data, "acronym", where=item)
        slug = _text(data, "slug", where=item, default=acronym.lower())
        specs.append(
            PageSpec(
                where=item,
                section="Members",
                model=MemberProfilePage,
                ref=_child_ref(parent_ref, slug),
                fields={
                    "title": _text(data, "title", where=item),
                    "acronym": acronym,
                    "country": _text(data, "country", where=item),
                    "year_joined": _int(data, "year_joined", where=item),
                    "iss_partner": _bool(data, "iss_partner", where=item),
                    "website": _text(data, "website", where=item),
                    "summary": _text(data, "summary", where=item),
                    "verification_note": _text(data, "verification_note", where=item),
                },
                rich={"body": _rich(data.get("body"), where=item, key="body")},
                media={"logo": _logo_spec(acronym=acronym, name=data["title"])},
            )
        )
    _unique([spec.slug for spec in specs], specs, field="slug")
    _unique([spec.fields["acronym"] for spec in specs], specs, field="acronym")
    return specs


def _logo_spec(*, acronym: str, name: str) -> MediaSpec:
    return MediaSpec(
        kind="image",
        title=f"{acronym} logo (placeholder)",
        filename=f"{acronym.lower()}-logo-placeholder.png",
        render=partial(placeholders.logo_png_render, acronym=acronym),
        description=f"Logo of {name} ({acronym}), a placeholder showing the acronym",
    )


def _faq_sections_parse(items: Any, *, where: Where, parent: dict) -> list[PageSpec]:
    items = _list(items, where=where, key="faq_sections")
    if not items:
        return []
    parent_ref = _index_ref(parent, FAQIndexPage, where=where, key="faq_sections")
    specs = []
    for index, data in enumerate(items):
        slug = data.get("slug") if isinstance(data, dict) else None
        item = Where(where.file, f"faq_sections[{index}]" + (f" ({slug})" if slug else ""))
        data = _mapping(
            data, where=item, required={"slug", "title", "questions"}, optional={"intro"}
        )
        specs.append(
            PageSpec(
                where=item,
                section="FAQ",
                model=FAQPage,
                ref=_child_ref(parent_ref, _text(data, "slug", where=item)),
                fields={
                    "title": _text(data, "title", where=item),
                    "intro": _text(data, "intro", where=item),
                },
                questions=_questions_parse(data["questions"], where=item),
            )
        )
    _unique([spec.slug for spec in specs], specs, field="slug")
    return specs


def _questions_parse(items: Any, *, where: Where) -> list[QuestionSpec]:
    questions = []
    anchors: set[str] = set()
    for index, data in enumerate(_list(items, where=where, key="questions")):
        item = where.child(f"questions[{index}]")
        data = _mapping(data, where=item, required={"question", "answer"}, optional={"anchor"})
        question = _text(data, "question", where=item)
        anchor = _text(data, "anchor", where=item) or anchor_from_question(question)
        if anchor in anchors:
            raise item.error("anchor", f"{anchor!r} is used twice in this section.")
        anchors.add(anchor)
        answer = _rich(data["answer"], where=item, key="answer")
        questions.append(QuestionSpec(anchor=anchor, question=question, answer=answer))
    return questions


def _releases_parse(
    items: Any, *, where: Where, parent: dict, acronyms: dict[str, str]
) -> list[PageSpec]:
    items = _list(items, where=where, key="releases")
    if not items:
        return []
    parent_ref = _index_ref(parent, RoadmapIndexPage, where=where, key="releases")
    specs = []
    for index, data in enumerate(items):
        slug = data.get("slug") if isinstance(data, dict) else None
        item = Where(where.file, f"releases[{index}]" + (f" ({slug})" if slug else ""))
        data = _mapping(
            data,
            where=item,
            required={"slug", "title", "kind", "release_date", "summary"},
            optional={
                "edition_number", "edition_label", "release_date_precision", "previous_release",
                "contributing_agencies", "body", "verification_note",
            },
        )  # fmt: skip
        release_date = _date(data, "release_date", where=item)
        precision = _text(data, "release_date_precision", where=item, default="day")
        _release_date_check(release_date, precision, where=item)
        previous = _text(data, "previous_release", where=item)
        agencies = []
        for acronym in _text_list(data, "contributing_agencies", where=item):
            if acronym.lower() not in acronyms:
                raise item.error("contributing_agencies", f"no member has the acronym {acronym!r}.")
            agencies.append(acronyms[acronym.lower()])
        spec = PageSpec(
            where=item,
            section="Roadmap",
            model=RoadmapReleasePage,
            ref=_child_ref(parent_ref, _text(data, "slug", where=item)),
            fields={
                "title": _text(data, "title", where=item),
                "kind": _text(data, "kind", where=item),
                "edition_number": _int(data, "edition_number", where=item),
                "edition_label": _text(data, "edition_label", where=item),
                "release_date": release_date,
                "release_date_precision": precision,
                "summary": _text(data, "summary", where=item),
                "verification_note": _text(data, "verification_note", where=item),
            },
            body=_body(data.get("body"), where=item),
            links={"previous_release": _child_ref(parent_ref, previous) if previous else None},
            many={"contributing_agencies": agencies},
        )
        spec.media = _release_media_specs(spec)
        specs.append(spec)
    _unique([spec.slug for spec in specs], specs, field="slug")
    # Placeholder files are found by title, which comes from the label: one label, one file.
    labels = [spec.fields["edition_label"] or spec.slug for spec in specs]
    _unique(labels, specs, field="edition_label")
    return specs


def _release_date_check(date: datetime.date, precision: str, *, where: Where) -> None:
    """A date known to the month or year is written as its first day, so it sorts and compares."""
    if (precision in ("month", "year") and date.day != 1) or (
        precision == "year" and date.month != 1
    ):
        raise where.error(
            "release_date",
            f"with precision {precision!r}, write the first day of the {precision} ({date}).",
        )


def _release_media_specs(spec: PageSpec) -> dict[str, MediaSpec]:
    label = spec.fields["edition_label"] or spec.slug
    date = spec.fields["release_date"]
    when = {"year": f"{date:%Y}", "month": f"{date:%B %Y}"}.get(
        spec.fields["release_date_precision"], f"{date.day} {date:%B %Y}"
    )
    name = f"Global Exploration Roadmap {label}"
    cover_lines = ["Global Exploration Roadmap", label, when]
    pdf_lines = [
        "PLACEHOLDER - not an ISECG publication",
        "",
        f"{spec.fields['title']} ({label}, {when})",
        "",
        "This file stands in for the real document in the ISECG CMS starter content.",
        "The official document is published by ISECG at",
        f"https://www.{placeholders.OFFICIAL_SOURCE}",
    ]
    return {
        "cover_image": MediaSpec(
            kind="image",
            title=f"{name} cover (placeholder)",
            filename=f"ger-{spec.slug}-cover-placeholder.png",
            render=partial(placeholders.cover_png_render, lines=cover_lines),
            description=f"Cover of the {name} ({when}), a placeholder showing its title",
        ),
        "document": MediaSpec(
            kind="document",
            title=f"{name} (placeholder PDF)",
            filename=f"ger-{spec.slug}-placeholder.pdf",
            render=partial(placeholders.pdf_render, title=f"{name} (placeholder)", lines=pdf_lines),
        ),
    }


def _references_check(specs: list[PageSpec]) -> None:
    """Check that every page link, previous release and contributor names a page of the file."""
    refs = {spec.ref for spec in specs}
    for spec in specs:
        rich_values = [(name, blocks) for name, blocks in spec.rich.items()]
        rich_values += [
            (f"body[{i}]", value)
            for i, (kind, value) in enumerate(spec.body or [])
            if kind != "heading"
        ]
        rich_values += [
            (f"questions[{i}].answer", q.answer) for i, q in enumerate(spec.questions or [])
        ]
        for name, blocks in rich_values:
            for block in blocks:
                for _words, target in LINK.findall(block):
                    if target.startswith("page:") and target[5:] not in refs:
                        raise spec.where.error(name, f"link to {target!r}: no such page in file.")
        for name, ref in spec.links.items():
            if ref is not None and ref not in refs:
                raise spec.where.error(name, f"no release with the slug {ref.rsplit('/')[-1]!r}.")


def _fields_check(spec: PageSpec) -> None:
    """Check each field value against its model field: choices, lengths, validators."""
    values = {**spec.fields, **{name: "<p>…</p>" for name in spec.rich}}
    if spec.ref:  # the home page keeps the slug it was created with
        values["slug"] = spec.slug
    page = spec.model(**values)
    with _model_errors(spec.where):
        page.clean_fields(exclude=_fields_except(spec.model, values))
    for index, question in enumerate(spec.questions or []):
        entry = FAQQuestion(anchor=question.anchor, question=question.question, answer="<p>…</p>")
        with _model_errors(spec.where.child(f"questions[{index}]")):
            entry.clean_fields(exclude=_fields_except(FAQQuestion, {"anchor", "question"}))


def _fields_except(model: type[models.Model], names) -> list[str]:
    return [f.name for f in model._meta.get_fields() if f.name not in names]


@contextmanager
def _model_errors(where: Where) -> Iterator[None]:
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


# Writing it --------------------------------------------------------------------------------------


@transaction.atomic
def content_load(
    *,
    content: SiteContent,
    dry_run: bool = False,
    overwrite: bool = False,
    progress: Callable[[SectionReport, bool], None] | None = None,
) -> LoadReport:
    """Create or update the site from `content`, publishing only what changed.

    Runs in one transaction: an error on any item rolls everything back. In a dry run the
    same work happens without files, revisions or publishing, and is then rolled back, so the
    report says exactly what a real run would do. `overwrite` also replaces pages edited in the
    admin since they were loaded.
    """
    report = LoadReport(dry_run=dry_run)
    written: list = []  # (storage, name) of files written, and images created
    try:
        pages, created = _pages_ensure(content=content)
        media_ids = _media_ensure(content=content, report=report, dry_run=dry_run, written=written)
        _progress(progress, report, "Media", dry_run)
        _view_restrictions_ensure(content=content, pages=pages, report=report)
        _progress(progress, report, "View restrictions", dry_run)
        for index, spec in enumerate(content.pages):
            _page_publish_if_changed(
                spec=spec,
                pages=pages,
                media_ids=media_ids,
                created=spec.ref in created,
                report=report,
                dry_run=dry_run,
                overwrite=overwrite,
            )
            following = content.pages[index + 1] if index + 1 < len(content.pages) else None
            if following is None or following.section != spec.section:
                _progress(progress, report, spec.section, dry_run)
    except BaseException:
        _files_delete(written)
        raise
    if dry_run:
        transaction.set_rollback(True)
    return report


def _files_delete(written: list) -> None:
    """Delete the files this load wrote; the rows that named them are being rolled back.

    Renditions made while publishing (the API renders images at publish time) go too: their
    rows belong to images created by this load.
    """
    for entry in written:
        if isinstance(entry, tuple):
            storage, name = entry
            storage.delete(name)
        else:
            for rendition in entry.renditions.all():
                rendition.file.storage.delete(rendition.file.name)


def _progress(progress, report: LoadReport, section: str, dry_run: bool) -> None:
    if progress is not None:
        progress(report.section(section), dry_run)


def _pages_ensure(*, content: SiteContent) -> tuple[dict[str, Page], set[str]]:
    """Find each page by slug under its parent, or create it as an unpublished draft.

    Creating every page before filling in any content lets links, previous releases and
    contributors point at pages of the same file; each page is published once, afterwards.
    """
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None or not isinstance(site.root_page.specific, HomePage):
        raise ContentDataError(
            file=content.file, message="no home page: run `manage.py migrate` first."
        )
    pages: dict[str, Page] = {"": site.root_page.specific}
    created: set[str] = set()
    for spec in content.pages:
        if spec.ref == "":
            continue
        parent = pages[spec.parent_ref]
        page = parent.get_children().filter(slug=spec.slug).specific().first()
        if page is None:
            page = spec.model(slug=spec.slug, live=False, **spec.fields)
            with _model_errors(spec.where):
                parent.add_child(instance=page)
            created.add(spec.ref)
        elif not isinstance(page, spec.model):
            raise spec.where.error(
                "slug",
                f"{page.url_path} is a {page.specific_class._meta.verbose_name}, "
                f"not a {spec.model._meta.verbose_name}.",
            )
        pages[spec.ref] = page
    return pages, created


def _media_ensure(
    *, content: SiteContent, report: LoadReport, dry_run: bool, written: list
) -> dict[str, int]:
    """Find each placeholder image or document by title, or generate it; return ids by title."""
    section = report.section("Media")
    ids = {}
    for media in content.media():
        model = get_image_model() if media.kind == "image" else get_document_model()
        existing = model.objects.filter(title=media.title).order_by("pk").first()
        if existing is None:
            existing = _media_create(media=media, model=model, dry_run=dry_run, written=written)
            section.created.append(media.title)
        elif media.kind == "image" and existing.description != media.description:
            existing.description = media.description
            existing.save(update_fields=["description"])
            section.updated.append(f"{media.title} (description)")
        else:
            section.unchanged.append(media.title)
        ids[media.title] = existing.pk
    return ids


def _media_create(*, media: MediaSpec, model, dry_run: bool, written: list) -> models.Model:
    data = media.render()
    file_hash = hashlib.sha1(data, usedforsecurity=False).hexdigest()  # as Wagtail hashes files
    instance = model(title=media.title, file_size=len(data), file_hash=file_hash)
    if dry_run:
        # Name the file without writing it: the row is rolled back, a file would be left over.
        instance.file.name = media.filename
    else:
        instance.file.save(media.filename, ContentFile(data), save=False)
        written.append((instance.file.storage, instance.file.name))
    if media.kind == "image":
        instance.description = media.description
        instance.width, instance.height = _png_size(data)  # set after the file, which clears them
    instance.save()
    if media.kind == "image" and not dry_run:
        written.append(instance)  # its renditions, made later, are files to clean up too
    return instance


def _png_size(data: bytes) -> tuple[int, int]:
    """Read a PNG's width and height from its header chunk."""
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _view_restrictions_ensure(
    *, content: SiteContent, pages: dict[str, Page], report: LoadReport
) -> None:
    """Restrict pages to their groups before they are published, never after."""
    section = report.section("View restrictions")
    for spec in content.pages:
        if not spec.restricted_to_groups:
            continue
        groups = []
        for name in spec.restricted_to_groups:
            group = Group.objects.filter(name=name).first()
            if group is None:
                raise spec.where.error("restricted_to_groups", f"no group named {name!r}.")
            groups.append(group)
        page = pages[spec.ref]
        restriction = PageViewRestriction.objects.filter(
            page=page, restriction_type=PageViewRestriction.GROUPS
        ).first()
        label = f"/{spec.ref}/ to {', '.join(spec.restricted_to_groups)}"
        if restriction is None:
            restriction = PageViewRestriction(
                page=page, restriction_type=PageViewRestriction.GROUPS
            )
            restriction.save()
            restriction.groups.set(groups)
            section.created.append(label)
        elif set(restriction.groups.all()) != set(groups):
            restriction.groups.set(groups)
            section.updated.append(label)
        else:
            section.unchanged.append(label)


def _page_publish_if_changed(
    *,
    spec: PageSpec,
    pages: dict[str, Page],
    media_ids: Mapping[str, int],
    created: bool,
    report: LoadReport,
    dry_run: bool,
    overwrite: bool,
) -> None:
    """Bring one page to its content in the file, and publish it once if anything changed."""
    page = spec.model.objects.get(pk=pages[spec.ref].pk)  # fresh: siblings may have moved on
    page_ids = {ref: page.pk for ref, page in pages.items()}
    changes = _page_apply(page=page, spec=spec, page_ids=page_ids, media_ids=media_ids)
    section = report.section(spec.section)
    label = f"/{spec.ref}/" if spec.ref else "/ (home)"
    if not changes:
        section.unchanged.append(label)
        return
    if not (created or overwrite) and _edited_in_admin(page):
        section.kept.append(f"{label} ({', '.join(changes)})")
        return
    with _model_errors(spec.where):
        page.full_clean()
    if created:
        section.created.append(label)
    else:
        section.updated.append(f"{label} ({', '.join(changes)})")
    if not dry_run:
        page.save_revision(log_action=True, clean=False).publish()


def _edited_in_admin(page: Page) -> bool:
    """Whether a person published this page or has a draft of it: their work is not ours to undo.

    The loader publishes without a user, so a live revision with one came from the admin.
    """
    live_revision = page.live_revision
    return page.has_unpublished_changes or (
        live_revision is not None and live_revision.user_id is not None
    )


def _page_apply(
    *, page: Page, spec: PageSpec, page_ids: Mapping[str, int], media_ids: Mapping[str, int]
) -> list[str]:
    """Set the file's content on `page` (in memory); return the names of what differed."""
    changes = []
    wanted: dict[str, Any] = dict(spec.fields)
    wanted.update({name: _html(blocks, page_ids) for name, blocks in spec.rich.items()})
    wanted.update({name: page_ids[ref] if ref else None for name, ref in spec.links.items()})
    wanted.update({name: media_ids[media.title] for name, media in spec.media.items()})
    for name, value in wanted.items():
        model_field = page._meta.get_field(name)
        current = getattr(page, model_field.attname)
        if model_field.get_prep_value(current) != model_field.get_prep_value(value):
            setattr(page, model_field.attname, value)
            changes.append(name)
    if spec.body is not None:
        body = [(kind, _html(v, page_ids) if kind == "paragraph" else v) for kind, v in spec.body]
        if _stream_data(page.body) != body:
            page.body = [(kind, RichText(v) if kind == "paragraph" else v) for kind, v in body]
            changes.append("body")
    if spec.questions is not None and _questions_apply(page, spec.questions, page_ids):
        changes.append("questions")
    for name, refs in spec.many.items():
        ids = {page_ids[ref] for ref in refs}
        if {related.pk for related in getattr(page, name).all()} != ids:
            related_model = page._meta.get_field(name).related_model
            getattr(page, name).set(related_model.objects.filter(pk__in=ids))
            changes.append(name)
    if not page.live:
        changes.append("not live")
    return changes


def _stream_data(stream) -> list[tuple[str, Any]]:
    return [(child.block_type, child.block.get_prep_value(child.value)) for child in stream]


def _questions_apply(page: FAQPage, questions: list[QuestionSpec], page_ids) -> bool:
    """Set the questions in order, keeping each existing one (and its id) found by anchor."""
    wanted = [(q.anchor, q.question, _html(q.answer, page_ids)) for q in questions]
    current = list(page.questions.all())
    if [(q.anchor, q.question, q.answer) for q in current] == wanted:
        return False
    by_anchor = {q.anchor: q for q in current}
    ordered = []
    for sort_order, (anchor, question, answer) in enumerate(wanted):
        entry = by_anchor.get(anchor) or FAQQuestion(anchor=anchor)
        entry.question, entry.answer, entry.sort_order = question, answer, sort_order
        ordered.append(entry)
    page.questions = ordered
    return True


# Rich text ---------------------------------------------------------------------------------------


def _html(blocks: Blocks, page_ids: Mapping[str, int]) -> str:
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
        if target.startswith("page:"):
            parts.append(f'<a linktype="page" id="{page_ids[target[5:]]}">{words}</a>')
        else:
            parts.append(f'<a href="{html.escape(target)}">{words}</a>')
        position = match.end()
    parts.append(html.escape(text[position:], quote=False))
    return "".join(parts)

"""Read the data file into checked, plain data (`SiteContent`), before anything is written.

Checks the structure, required fields, each item's field values against the models and the
references between items, and raises `ContentDataError` naming the file, the item and the field.
"""

import datetime
from collections.abc import Iterator, Set
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import yaml
from django.db import models
from wagtail.models import Page

from .. import placeholders
from ..models import (
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
from ..models.faq import anchor_from_question
from .markup import EXTERNAL_LINK_PREFIXES, PAGE_LINK_PREFIX, Blocks, link_targets
from .specs import (
    ContentDataError,
    MediaSpec,
    PageSpec,
    QuestionSpec,
    SiteContent,
    Where,
    model_errors,
)

PAGE_TYPES: dict[str, type[Page]] = {
    "standard": StandardPage,
    "faq_index": FAQIndexPage,
    "members_index": MembersIndexPage,
    "roadmap_index": RoadmapIndexPage,
}


@dataclass(frozen=True)
class Shape:
    """The fields a mapping in the file must and may have; `label` names an item in errors."""

    required: Set[str]
    optional: Set[str]
    label: str | None = None


# The file's structure: the top level, then each kind of item.
TOP = Shape(required={"home", "pages"}, optional={"faq_sections", "members", "releases"})
HOME = Shape(required={"title"}, optional={"intro", "body"})
PAGE = Shape(
    required={"slug", "title"},
    optional={"type", "intro", "body", "show_in_menus", "restricted_to_groups", "children"},
    label="slug",
)
MEMBER = Shape(
    required={"acronym", "title", "summary"},
    optional={
        "slug", "country", "year_joined", "iss_partner", "website", "body", "verification_note",
    },
    label="acronym",
)  # fmt: skip
FAQ_SECTION = Shape(required={"slug", "title", "questions"}, optional={"intro"}, label="slug")
QUESTION = Shape(required={"question", "answer"}, optional={"anchor"})
RELEASE = Shape(
    required={"slug", "title", "kind", "release_date", "summary"},
    optional={
        "edition_number", "edition_label", "release_date_precision", "previous_release",
        "contributing_agencies", "body", "verification_note",
    },
    label="slug",
)  # fmt: skip


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
    data = _mapping(data, where=top, shape=TOP)
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


# Structure and plain values ----------------------------------------------------------------------


def _mapping(value: Any, *, where: Where, shape: Shape) -> dict:
    """Check that `value` is a mapping with the required keys and no unknown ones."""
    if not isinstance(value, dict):
        raise where.error("", f"expected a mapping of fields, got {_kind(value)}.")
    unknown = sorted(set(value) - shape.required - shape.optional, key=str)
    if unknown:
        known = ", ".join(sorted(shape.required | shape.optional))
        raise where.error(str(unknown[0]), f"unknown field (known fields: {known}).")
    for key in sorted(shape.required):
        if value.get(key) in (None, "", [], {}):
            raise where.error(key, "This field is required.")
    return value


def _list(value: Any, *, where: Where, key: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise where.error(key, f"expected a list, got {_kind(value)}.")
    return value


def _items(value: Any, *, where: Where, key: str, shape: Shape) -> Iterator[tuple[Where, dict]]:
    """Yield each item of the list at `key`, checked as a mapping, with where it is.

    An item is named by its position and, when it has one, by its label field (a slug, an
    acronym): `members[3] (NASA)`.
    """
    for index, data in enumerate(_list(value, where=where, key=key)):
        name = data.get(shape.label) if shape.label and isinstance(data, dict) else None
        item = where.child(f"{key}[{index}]" + (f" ({name})" if name else ""))
        yield item, _mapping(data, where=item, shape=shape)


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
        for target in link_targets(block):
            if not target.startswith((PAGE_LINK_PREFIX, *EXTERNAL_LINK_PREFIXES)):
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


# Pages -------------------------------------------------------------------------------------------


def _home_parse(data: Any, *, where: Where) -> PageSpec:
    data = _mapping(data, where=where, shape=HOME)
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
    for item, data in _items(items, where=where, key=key, shape=PAGE):
        page_type = _text(data, "type", where=item, default="standard")
        model = PAGE_TYPES.get(page_type)
        if model is None:
            raise item.error("type", f"unknown page type {page_type!r} ({', '.join(PAGE_TYPES)}).")
        spec = _page_spec(data, where=item, section="Pages", model=model, parent_ref=parent_ref)
        spec.fields["show_in_menus"] = _bool(data, "show_in_menus", where=item)
        spec.restricted_to_groups = _text_list(data, "restricted_to_groups", where=item)
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


def _page_spec(
    data: dict,
    *,
    where: Where,
    section: str,
    model: type[Page],
    parent_ref: str,
    slug: str | None = None,
) -> PageSpec:
    """Begin the spec of a page under `parent_ref`: where it is, its type, slug and title.

    The caller adds the other fields after the title, in the order the loader reports them.
    """
    slug = _text(data, "slug", where=where) if slug is None else slug
    return PageSpec(
        where=where,
        section=section,
        model=model,
        ref=_child_ref(parent_ref, slug),
        fields={"title": _text(data, "title", where=where)},
    )


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


def _index_items(
    value: Any, *, where: Where, key: str, shape: Shape, index: type[Page], parent: dict
) -> Iterator[tuple[str, Where, dict]]:
    """Like `_items`, for items that go under the one `index` page; yield its ref first.

    The index page is required only when there are items to put under it.
    """
    items = _list(value, where=where, key=key)
    if not items:
        return
    if index not in parent:
        type_name = next(name for name, cls in PAGE_TYPES.items() if cls is index)
        raise where.error(key, f"needs a page of type {type_name} in pages to go under.")
    for item, data in _items(items, where=where, key=key, shape=shape):
        yield parent[index], item, data


# Items under the index pages ---------------------------------------------------------------------


def _members_parse(items: Any, *, where: Where, parent: dict) -> list[PageSpec]:
    specs = []
    for parent_ref, item, data in _index_items(
        items, where=where, key="members", shape=MEMBER, index=MembersIndexPage, parent=parent
    ):
        acronym = _text(data, "acronym", where=item)
        slug = _text(data, "slug", where=item, default=acronym.lower())
        spec = _page_spec(
            data,
            where=item,
            section="Members",
            model=MemberProfilePage,
            parent_ref=parent_ref,
            slug=slug,
        )
        spec.fields |= {
            "acronym": acronym,
            "country": _text(data, "country", where=item),
            "year_joined": _int(data, "year_joined", where=item),
            "iss_partner": _bool(data, "iss_partner", where=item),
            "website": _text(data, "website", where=item),
            "summary": _text(data, "summary", where=item),
            "verification_note": _text(data, "verification_note", where=item),
        }
        spec.rich["body"] = _rich(data.get("body"), where=item, key="body")
        spec.media["logo"] = _logo_spec(acronym=acronym, name=data["title"])
        specs.append(spec)
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
    specs = []
    for parent_ref, item, data in _index_items(
        items, where=where, key="faq_sections", shape=FAQ_SECTION, index=FAQIndexPage, parent=parent
    ):
        spec = _page_spec(data, where=item, section="FAQ", model=FAQPage, parent_ref=parent_ref)
        spec.fields["intro"] = _text(data, "intro", where=item)
        spec.questions = _questions_parse(data["questions"], where=item)
        specs.append(spec)
    _unique([spec.slug for spec in specs], specs, field="slug")
    return specs


def _questions_parse(items: Any, *, where: Where) -> list[QuestionSpec]:
    questions = []
    anchors: set[str] = set()
    for item, data in _items(items, where=where, key="questions", shape=QUESTION):
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
    specs = []
    for parent_ref, item, data in _index_items(
        items, where=where, key="releases", shape=RELEASE, index=RoadmapIndexPage, parent=parent
    ):
        release_date = _date(data, "release_date", where=item)
        precision = _text(data, "release_date_precision", where=item, default="day")
        _release_date_check(release_date, precision, where=item)
        previous = _text(data, "previous_release", where=item)
        agencies = []
        for acronym in _text_list(data, "contributing_agencies", where=item):
            if acronym.lower() not in acronyms:
                raise item.error("contributing_agencies", f"no member has the acronym {acronym!r}.")
            agencies.append(acronyms[acronym.lower()])
        spec = _page_spec(
            data, where=item, section="Roadmap", model=RoadmapReleasePage, parent_ref=parent_ref
        )
        spec.fields |= {
            "kind": _text(data, "kind", where=item),
            "edition_number": _int(data, "edition_number", where=item),
            "edition_label": _text(data, "edition_label", where=item),
            "release_date": release_date,
            "release_date_precision": precision,
            "summary": _text(data, "summary", where=item),
            "verification_note": _text(data, "verification_note", where=item),
        }
        spec.body = _body(data.get("body"), where=item)
        spec.links["previous_release"] = _child_ref(parent_ref, previous) if previous else None
        spec.many["contributing_agencies"] = agencies
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


# Across items ------------------------------------------------------------------------------------


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
                for target in link_targets(block):
                    ref = target.removeprefix(PAGE_LINK_PREFIX)
                    if target.startswith(PAGE_LINK_PREFIX) and ref not in refs:
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
    with model_errors(spec.where):
        page.clean_fields(exclude=_fields_except(spec.model, values))
    for index, question in enumerate(spec.questions or []):
        entry = FAQQuestion(anchor=question.anchor, question=question.question, answer="<p>…</p>")
        with model_errors(spec.where.child(f"questions[{index}]")):
            entry.clean_fields(exclude=_fields_except(FAQQuestion, {"anchor", "question"}))


def _fields_except(model: type[models.Model], names) -> list[str]:
    return [f.name for f in model._meta.get_fields() if f.name not in names]

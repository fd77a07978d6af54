"""Write checked content (`SiteContent`) to the site in one transaction, idempotently.

Pages are matched by slug under their parent; missing ones are created, and a page is published
(through Wagtail's revisions, so `page_published` fires) only when its content differs from what
is live. A second run publishes nothing: every publish becomes an API version and a webhook
delivery. Pages that people have changed in the admin since are kept unless `overwrite` is set.
"""

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import models, transaction
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.rich_text import RichText

from ..models import FAQPage, FAQQuestion, HomePage
from .markup import blocks_html
from .specs import ContentDataError, MediaSpec, PageSpec, QuestionSpec, SiteContent, model_errors


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
            with model_errors(spec.where):
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


# Media and view restrictions ---------------------------------------------------------------------


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


# Pages -------------------------------------------------------------------------------------------


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
    with model_errors(spec.where):
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
    wanted.update({name: blocks_html(blocks, page_ids) for name, blocks in spec.rich.items()})
    wanted.update({name: page_ids[ref] if ref else None for name, ref in spec.links.items()})
    wanted.update({name: media_ids[media.title] for name, media in spec.media.items()})
    for name, value in wanted.items():
        model_field = page._meta.get_field(name)
        current = getattr(page, model_field.attname)
        if model_field.get_prep_value(current) != model_field.get_prep_value(value):
            setattr(page, model_field.attname, value)
            changes.append(name)
    if spec.body is not None:
        body = [
            (kind, blocks_html(v, page_ids) if kind == "paragraph" else v) for kind, v in spec.body
        ]
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
    wanted = [(q.anchor, q.question, blocks_html(q.answer, page_ids)) for q in questions]
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

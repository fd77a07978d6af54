"""Synthetic published content for benchmarks: thousands of real pages in seconds.

Pages are real Wagtail pages: rows in the page tree (paths computed as treebeard would), each
with a revision that is its live revision and a `wagtail.publish` log entry, indexed for search,
and with the pipeline's documents (version 1, live document, feed entry) rendered by the same
serializers a publish uses (`pipeline.bulk`). Each batch is written in bulk, in its own
transaction, so an interrupted run leaves whole batches only.
"""

from __future__ import annotations

import datetime
import random
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from modelcluster.models import get_all_child_relations
from wagtail.coreutils import find_available_slug
from wagtail.models import Page, PageLogEntry, Revision, Site
from wagtail.search.backends import get_search_backends

from content_models.models import (
    FAQIndexPage,
    FAQPage,
    FAQQuestion,
    MemberProfilePage,
    MembersIndexPage,
    RoadmapIndexPage,
    RoadmapReleasePage,
)
from pipeline.bulk import items_publish_new

MEMBER_SLUG_PREFIX = "synthetic-agency-"
FAQ_SLUG_PREFIX = "synthetic-faq-"
RELEASE_SLUG_PREFIX = "synthetic-release-"
ACRONYM_PREFIX = "SYN"

COUNTRIES = ["", "AU", "BR", "CA", "CN", "DE", "ES", "FR", "GB", "IN", "IT", "JP", "KR", "US"]
WORDS = [
    "orbital",
    "lunar",
    "martian",
    "deep",
    "space",
    "exploration",
    "science",
    "station",
    "habitat",
    "gateway",
    "robotic",
    "crew",
    "cargo",
    "launch",
    "propulsion",
    "landing",
    "surface",
    "sample",
    "return",
    "mission",
    "partner",
    "agency",
    "research",
    "technology",
    "roadmap",
    "cooperation",
    "international",
    "sustainable",
]

Progress = Callable[[str, int, int], None]


@dataclass
class GeneratedContent:
    """Ids of the pages created, per type, and how long it took."""

    members: list[int] = field(default_factory=list)
    faqs: list[int] = field(default_factory=list)
    releases: list[int] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return len(self.members) + len(self.faqs) + len(self.releases)


def content_generate(
    *,
    members: int = 0,
    faqs: int = 0,
    releases: int = 0,
    seed: int | None = None,
    batch_size: int = 500,
    progress: Progress | None = None,
) -> GeneratedContent:
    """Create and publish synthetic member profiles, FAQ sections and roadmap releases.

    New pages go under the site's members, FAQ and roadmap indexes (created and published if
    missing), after the pages already there; slugs and acronyms never clash with existing ones,
    so the command can be run again to grow the site.
    """
    if min(members, faqs, releases) < 0:
        raise ValueError("Counts cannot be negative.")
    if batch_size < 1:
        raise ValueError("The batch size must be at least 1.")
    rng = random.Random(seed)
    started = time.perf_counter()
    members_index, faq_index, roadmap_index = site_indexes()
    plan = (
        ("members", members, members_index, MEMBER_SLUG_PREFIX, _member_builder),
        ("faqs", faqs, faq_index, FAQ_SLUG_PREFIX, _faq_builder),
        ("releases", releases, roadmap_index, RELEASE_SLUG_PREFIX, _release_builder),
    )
    created = {}
    for name, count, parent, slug_prefix, builder in plan:
        # Each builder is made only now: releases credit the members generated just before.
        created[name] = _generate(
            parent=parent,
            count=count,
            build=builder(rng, parent),
            slug_prefix=slug_prefix,
            batch_size=batch_size,
            progress=_named(progress, name),
        )
    return GeneratedContent(**created, seconds=time.perf_counter() - started)


def site_indexes() -> tuple[MembersIndexPage, FAQIndexPage, RoadmapIndexPage]:
    """Return the site's members, FAQ and roadmap indexes, creating the missing ones."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        raise LookupError("There is no default site: run `manage.py migrate` first.")
    home = site.root_page.specific
    return (
        _index(MembersIndexPage, home, title="Members", slug="members"),
        _index(FAQIndexPage, home, title="FAQ", slug="faq"),
        _index(RoadmapIndexPage, home, title="Global Exploration Roadmap", slug="roadmap"),
    )


def _index(model, home: Page, *, title: str, slug: str):
    existing = model.objects.order_by("path").first()
    if existing is not None:
        return existing
    with transaction.atomic():
        index = home.add_child(
            instance=model(title=title, slug=find_available_slug(home, slug), live=False)
        )
        index.save_revision().publish()  # the normal way: a handful of pages, once
    return model.objects.get(pk=index.pk)


# Building pages -----------------------------------------------------------------------------

Builder = Callable[[int, str], Page]


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _member_builder(rng: random.Random, parent: Page) -> Builder:
    def build(number: int, slug: str) -> MemberProfilePage:
        name = " ".join(w.capitalize() for w in rng.sample(WORDS, 2))
        return MemberProfilePage(
            title=f"{name} Space Agency {number}",
            slug=slug,
            acronym=f"{ACRONYM_PREFIX}{number}",
            country=rng.choice(COUNTRIES),
            website=f"https://agency-{number}.example.org/",
            year_joined=rng.randint(2007, 2024),
            iss_partner=rng.random() < 0.2,
            summary=_sentence(rng, 20),
            body="".join(f"<p>{_sentence(rng, 40)}</p>" for _ in range(3)),
        )

    return build


def _faq_builder(rng: random.Random, parent: Page) -> Builder:
    def build(number: int, slug: str) -> FAQPage:
        page = FAQPage(title=f"Questions {number}", slug=slug, intro=_sentence(rng, 15))
        page.questions = [
            FAQQuestion(
                sort_order=position,
                anchor=f"question-{position + 1}",
                question=_sentence(rng, 8).rstrip(".") + "?",
                answer=f"<p>{_sentence(rng, 30)}</p>",
            )
            for position in range(rng.randint(3, 8))
        ]
        return page

    return build


def _release_builder(rng: random.Random, roadmap_index: Page) -> Builder:
    state = {"previous": None, "date": None}
    member_ids = list(
        MemberProfilePage.objects.live().order_by("path").values_list("pk", flat=True)[:2000]
    )

    def build(number: int, slug: str) -> RoadmapReleasePage:
        if state["date"] is None:
            latest = (
                RoadmapReleasePage.objects.child_of(roadmap_index).order_by("-release_date").first()
            )
            state["previous"] = latest
            state["date"] = latest.release_date if latest else datetime.date(1900, 1, 1)
        state["date"] += datetime.timedelta(days=1)
        supplement = rng.random() < 0.3
        page = RoadmapReleasePage(
            title=f"Global Exploration Roadmap {number}",
            slug=slug,
            kind=RoadmapReleasePage.Kind.SUPPLEMENT
            if supplement
            else RoadmapReleasePage.Kind.EDITION,
            edition_number=None if supplement else number,
            edition_label=f"Supplement {number}" if supplement else f"Edition {number}",
            release_date=state["date"],
            summary=_sentence(rng, 25),
        )
        # Linked once both rows exist: the previous release may be in this same batch.
        page._previous_release = state["previous"]
        page._agency_ids = rng.sample(member_ids, min(len(member_ids), 4))
        state["previous"] = page
        return page

    return build


# Writing pages ------------------------------------------------------------------------------


def _named(progress: Progress | None, name: str) -> Callable[[int, int], None] | None:
    if progress is None:
        return None
    return lambda done, total: progress(name, done, total)


def _next_number(parent: Page, slug_prefix: str) -> int:
    """Return the first number after every synthetic slug already under `parent`."""
    slugs = Page.objects.child_of(parent).filter(slug__startswith=slug_prefix)
    numbers = [int(s[len(slug_prefix) :]) for s in slugs.values_list("slug", flat=True)]
    numbers = [n for n in numbers if n >= 0] if numbers else []
    return max(numbers, default=0) + 1


def _generate(
    *,
    parent: Page,
    count: int,
    build: Builder,
    slug_prefix: str,
    batch_size: int,
    progress: Callable[[int, int], None] | None,
) -> list[int]:
    created: list[int] = []
    if count == 0:
        return created
    first = _next_number(parent, slug_prefix)
    while len(created) < count:
        size = min(batch_size, count - len(created))
        numbers = range(first + len(created), first + len(created) + size)
        pages = [build(number, f"{slug_prefix}{number:06d}") for number in numbers]
        created.extend(pages_publish_new(parent=parent, pages=pages))
        if progress is not None:
            progress(len(created), count)
    return created


@transaction.atomic
def pages_publish_new(*, parent: Page, pages: Sequence[Page]) -> list[int]:
    """Add unsaved pages of one type as the last children of `parent`, published.

    Writes what `add_child()`, `save_revision()` and `publish()` would: tree rows, a revision
    that is both latest and live, a publish log entry, the search index entries and the
    pipeline's documents. Child objects (FAQ questions) and many-to-many values (contributing
    agencies) set on the unsaved pages are saved too. Returns the new page ids.
    """
    model = type(pages[0])
    parent = Page.objects.select_for_update().get(pk=parent.pk)  # serialises writers of the tree
    now = timezone.now()
    _insert_tree_rows(parent, pages, now=now)
    _insert_children(model, pages)
    live = list(_load_live(model, [page.pk for page in pages]))  # as stored, relations included
    revisions = _insert_revisions(model, live, now=now)
    for backend in get_search_backends(with_auto_update=True):
        backend.add_bulk(model, live)
    items_publish_new(pages=live, revisions=revisions, parent=parent, published_at=now)
    return [page.pk for page in pages]


def _insert_tree_rows(parent: Page, pages: Sequence[Page], *, now: datetime.datetime) -> None:
    model = type(pages[0])
    last = parent.get_last_child()
    start = Page._str2int(last.path[-Page.steplen :]) if last is not None else 0
    content_type = ContentType.objects.get_for_model(model)
    depth = parent.depth + 1
    for offset, page in enumerate(pages, start=1):
        page.path = Page._get_path(parent.path, depth, start + offset)
        page.depth = depth
        page.numchild = 0
        page.url_path = f"{parent.url_path}{page.slug}/"
        page.content_type = content_type
        page.locale_id = parent.locale_id
        page.translation_key = uuid.uuid4()
        page.draft_title = page.title
        page.live = True
        page.has_unpublished_changes = False
        page.first_published_at = page.last_published_at = now
        page.latest_revision_created_at = now
    # The page table first (bulk_create refuses multi-table models), then the type's own table.
    Page.objects.bulk_create(pages)
    for page in pages:
        page.page_ptr_id = page.id
        page._state.adding = False
        previous = getattr(page, "_previous_release", None)
        if previous is not None:
            page.previous_release_id = previous.pk
    model._base_manager._insert(pages, fields=model._meta.local_concrete_fields)
    Page.objects.filter(pk=parent.pk).update(numchild=F("numchild") + len(pages))


def _insert_children(model, pages: Sequence[Page]) -> None:
    """Save what the unsaved pages hold besides their own rows: questions, agencies."""
    if model is FAQPage:
        questions = []
        for page in pages:
            for question in page.questions.all():
                question.page_id = page.pk
                questions.append(question)
        FAQQuestion.objects.bulk_create(questions)
    if model is RoadmapReleasePage:
        through = RoadmapReleasePage.contributing_agencies.through
        release_column = _column_to(through, RoadmapReleasePage)
        member_column = _column_to(through, MemberProfilePage)
        through.objects.bulk_create(
            through(**{release_column: page.pk, member_column: member_id})
            for page in pages
            for member_id in page._agency_ids
        )


def _column_to(through, model) -> str:
    return next(f.attname for f in through._meta.fields if f.related_model is model)


def _insert_revisions(model, pages: Sequence[Page], *, now) -> dict[int, Revision]:
    content_type = ContentType.objects.get_for_model(model)
    base_content_type = ContentType.objects.get_for_model(Page)
    revisions = Revision.objects.bulk_create(
        Revision(
            content_type=content_type,
            base_content_type=base_content_type,
            object_id=str(page.pk),
            content=page.serializable_data(),
            object_str=str(page),
            created_at=now,
        )
        for page in pages
    )
    for page, revision in zip(pages, revisions, strict=True):
        page.latest_revision = page.live_revision = revision
    Page.objects.bulk_update(pages, ["latest_revision", "live_revision"])
    PageLogEntry.objects.bulk_create(
        PageLogEntry(
            content_type=content_type,
            label=str(page),
            action="wagtail.publish",
            timestamp=now,
            data={},
            page_id=page.pk,
            revision=revision,
            content_changed=True,
        )
        for page, revision in zip(pages, revisions, strict=True)
    )
    return {page.pk: revision for page, revision in zip(pages, revisions, strict=True)}


def _load_live(model, ids: list[int]):
    """Load the pages as stored, with what revisions and documents read prefetched."""
    relations = [relation.get_accessor_name() for relation in get_all_child_relations(model)]
    relations += [f.name for f in model._meta.many_to_many]
    return model.objects.filter(pk__in=ids).order_by("path").prefetch_related(*relations)

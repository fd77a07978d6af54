"""The test kit: building a published site, publishing and editing as the admin does,
reading the API's answers and the change log.

One of each: one site builder (`build_site`, behind the `site` and `shared_site` fixtures), one
`publish`, one `assert_problem`. Fixtures live in conftest.py; these are plain functions.
"""

import datetime
import io
from types import SimpleNamespace

from django.contrib.auth.models import Group
from django.core.files.images import ImageFile
from django.core.management import call_command
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.models import APIToken, Page, PageViewRestriction

from pipeline.models import Change, PublishedVersion

from .factories import (
    FAQIndexPageFactory,
    FAQPageFactory,
    FAQQuestionFactory,
    MemberProfilePageFactory,
    MembersIndexPageFactory,
    RoadmapIndexPageFactory,
    RoadmapReleasePageFactory,
    StandardPageFactory,
)

PROBLEM_FIELDS = {"type", "title", "status", "detail"}
# (no word a search test looks for: PostgreSQL stems "agencies" to "agency")
OLD_ANSWER = "<p>ISECG is a voluntary coordination forum.</p>"


def assert_problem(response, status: int) -> dict:
    """Assert an RFC 9457 problem answer with this status and a useful `detail`; return it."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/problem+json"), response["Content-Type"]
    body = response.json()
    assert set(body) >= PROBLEM_FIELDS, body
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and len(body["detail"]) > 5, body
    return body


# Publishing ------------------------------------------------------------------------------------


def fresh(page):
    """Return the page as stored, as its specific type (never mutate a shared site's objects)."""
    return Page.objects.get(pk=page.pk).specific


def publish(page, user=None, author=None):
    """Publish the page's current state through a revision, as the admin does (fires the
    pipeline); return the page, refreshed from the database.

    `author` saves the revision (default: the publisher), `user` publishes it.
    """
    page.save_revision(user=author or user).publish(user=user)
    page.refresh_from_db()
    return page


def edit(page, user=None, author=None, **fields):
    """Change fields of the live page as an editor would (a new revision), and publish it."""
    page = fresh(page)
    for name, value in fields.items():
        setattr(page, name, value)
    return publish(page, user=user, author=author)


def restrict_to_groups(page, *group_names: str) -> PageViewRestriction:
    """Put a view restriction on the page for these groups (the pipeline re-evaluates it)."""
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.set(Group.objects.filter(name__in=group_names))
    return restriction


def token_for(user, name: str = "frontend") -> str:
    """Create a Wagtail API token for the user and return its plaintext."""
    _, plaintext = APIToken.create_token(user=user, name=name)
    return plaintext


# Reading ---------------------------------------------------------------------------------------


def ids_of(response) -> list[int]:
    """Return the ids of a list answer's results, in order."""
    assert response.status_code == 200, (response.status_code, response.content[:500])
    return [item["id"] for item in response.json()["results"]]


def index_for_search() -> None:
    """Fill Wagtail's search index with the pages as stored, in this process.

    Wagtail queues index updates as tasks; the worker cannot run inside a test's transaction on
    PostgreSQL (it closes the connection between tasks), so tests index with the real command.
    """
    call_command("update_index", verbosity=0)


def versions(page_id):
    return list(PublishedVersion.objects.filter(page_id=page_id).order_by("number"))


def changes(**filters):
    return list(Change.objects.filter(**filters).order_by("seq"))


def feed(client, *, cursor=None, limit=None, **extra):
    """Read one page of the changes feed; return the JSON."""
    params = {}
    if cursor is not None:
        params["cursor"] = cursor
    if limit is not None:
        params["limit"] = limit
    response = client.get("/api/v1/changes/", params, **extra)
    assert response.status_code == 200, response.content
    return response.json()


def feed_all(client, **extra):
    """Follow the feed from the beginning to its end; return every entry."""
    entries, cursor = [], None
    while True:
        page = feed(client, cursor=cursor, limit=1000, **extra)
        entries += page["results"]
        cursor = page["next"]
        if not page["has_more"]:
            return entries


# Media -----------------------------------------------------------------------------------------


def make_image(title="Logo", *, size=(640, 480), color="navy", filename="logo.png"):
    """Create a real image in the library (a PNG written to MEDIA_ROOT)."""
    return get_image_model().objects.create(title=title, file=image_file(size, color, filename))


def image_file(size=(640, 480), color="navy", filename="logo.png"):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, color).save(buffer, format="PNG")
    return ImageFile(io.BytesIO(buffer.getvalue()), name=filename)


def srcset(base: str, image, widths, fmt: str) -> str:
    renditions = [image.get_rendition(f"width-{w}|format-{fmt}") for w in widths]
    return ", ".join(f"{base}{r.url} {r.width}w" for r in renditions)


def picture(base: str, image, rendition, *, alt: str, css: str, widths, fallback="png") -> str:
    """The `<picture>` a rich-text image embed is delivered as."""
    sizes = f"(max-width: {rendition.width}px) 100vw, {rendition.width}px"
    return (
        f'<picture><source type="image/webp" srcset="{srcset(base, image, widths, "webp")}" '
        f'sizes="{sizes}"><img src="{base}{rendition.url}" width="{rendition.width}" '
        f'height="{rendition.height}" alt="{alt}" class="{css}" '
        f'srcset="{srcset(base, image, widths, fallback)}" sizes="{sizes}"></picture>'
    )


# The site --------------------------------------------------------------------------------------


def build_site(home) -> SimpleNamespace:
    """Build and publish a small site: members, roadmap releases, FAQ, a private area.

    home → members → nasa, esa, jaxa, csa, ukspa; roadmap → ger1 ← ger2 ← ger3 ← supplement
    (contributing agencies), faq → isecg (its first answer is `OLD_ANSWER`), roadmap-faq (ordered
    questions), about, private-area (Members only) → meeting-notes.
    """
    s = SimpleNamespace(home=publish(home))
    s.members_index = publish(MembersIndexPageFactory(parent=home))
    member_rows = [
        ("nasa", "National Aeronautics and Space Administration", "NASA", "US", 2007, True),
        ("esa", "European Space Agency", "ESA", "", 2007, True),
        ("jaxa", "Japan Aerospace Exploration Agency", "JAXA", "JP", 2007, True),
        ("csa", "Canadian Space Agency", "CSA", "CA", 2007, True),
        ("ukspa", "UK Space Agency", "UKSA", "GB", 2011, False),
        ("kari", "Korea Aerospace Research Institute", "KARI", "KR", 2008, False),
    ]
    for slug, title, acronym, country, joined, iss in member_rows:
        page = MemberProfilePageFactory(
            parent=s.members_index,
            slug=slug,
            title=title,
            acronym=acronym,
            country=country,
            year_joined=joined,
            iss_partner=iss,
            summary=f"{acronym} is a member agency.",
        )
        setattr(s, slug, publish(page))
    s.roadmap_index = publish(RoadmapIndexPageFactory(parent=home))
    s.ger1 = publish(
        RoadmapReleasePageFactory(
            parent=s.roadmap_index,
            slug="ger-1",
            title="The Global Exploration Roadmap",
            edition_number=1,
            release_date=datetime.date(2011, 9, 1),
        )
    )
    s.ger2 = publish(
        RoadmapReleasePageFactory(
            parent=s.roadmap_index,
            slug="ger-2",
            title="The Global Exploration Roadmap, second edition",
            edition_number=2,
            release_date=datetime.date(2013, 8, 1),
            previous_release=s.ger1,
        )
    )
    s.ger3 = RoadmapReleasePageFactory.build(
        slug="ger-3",
        title="The Global Exploration Roadmap, third edition",
        edition_number=3,
        release_date=datetime.date(2018, 1, 1),
        previous_release=s.ger2,
    )
    s.roadmap_index.add_child(instance=s.ger3)
    s.ger3.contributing_agencies.set([s.nasa, s.esa, s.jaxa])
    s.ger3 = publish(s.ger3)
    supplement = RoadmapReleasePageFactory.build(
        slug="ger-supplement-2020",
        title="Global Exploration Roadmap Supplement",
        kind="supplement",
        edition_number=None,
        edition_label="Supplement August 2020",
        release_date=datetime.date(2020, 8, 1),
        previous_release=s.ger3,
    )
    s.roadmap_index.add_child(instance=supplement)
    supplement.contributing_agencies.set([s.csa, s.nasa])
    s.supplement = publish(supplement)
    s.faq_index = publish(FAQIndexPageFactory(parent=home))
    s.faq_isecg = FAQPageFactory(parent=s.faq_index, slug="isecg", title="ISECG")
    FAQQuestionFactory(
        page=s.faq_isecg, anchor="what-is-isecg", question="What is ISECG?", answer=OLD_ANSWER
    )
    for anchor, question in [
        ("who-are-the-members", "Who are the members?"),
        ("how-often-do-they-meet", "How often do they meet?"),
    ]:
        FAQQuestionFactory(page=s.faq_isecg, anchor=anchor, question=question)
    s.faq_isecg = publish(s.faq_isecg)
    s.faq_roadmap = FAQPageFactory(parent=s.faq_index, slug="roadmap-faq", title="The Roadmap")
    FAQQuestionFactory(page=s.faq_roadmap, anchor="what-is-the-ger", question="What is the GER?")
    s.faq_roadmap = publish(s.faq_roadmap)
    s.about = publish(StandardPageFactory(parent=home, slug="about", title="About"))
    s.private = publish(StandardPageFactory(parent=home, slug="private-area", title="Private Area"))
    s.meeting_notes = publish(
        StandardPageFactory(parent=s.private, slug="meeting-notes", title="Meeting notes")
    )
    restrict_to_groups(s.private, "Members")
    return s

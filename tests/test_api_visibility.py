"""Who sees what: every endpoint × {draft-only, live with a newer draft, restricted to Members,
unpublished, pending in a release} × {anonymous, member token, wrong-group token}.

A page is visible to a caller when it is live with a published document and its audience
admits the caller: the live-with-draft page to everyone (its published content only), the
restricted page to the member token only, the others to nobody. Nothing hidden may appear
in a list, a detail, search, resolve, versions, the change feed, as an embedded relation or as
a rich-text link target. A page pending in a release (never published, its draft in an
unfinished release) shows only to a request with that release's token.
"""

from types import SimpleNamespace

import pytest
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient
from wagtail.models import Page, Site
from wagtail.rich_text import RichText

from content_models.models import StandardPage
from releases import previews
from releases import services as releases

from .factories import (
    FAQPageFactory,
    MemberProfilePageFactory,
    RoadmapReleasePageFactory,
    StandardPageFactory,
    UserFactory,
)
from .helpers import build_site, ids_of, index_for_search, publish, restrict_to_groups, token_for

pytestmark = pytest.mark.django_db

KINDS = {
    # kind: (collection, factory, parent attribute of the site)
    "faq": ("faqs", FAQPageFactory, "faq_index"),
    "member": ("members", MemberProfilePageFactory, "members_index"),
    "roadmap_release": ("roadmap-releases", RoadmapReleasePageFactory, "roadmap_index"),
    "page": ("pages", StandardPageFactory, "home"),
}
STATES = ["draft_only", "live_with_draft", "restricted", "unpublished", "pending_in_release"]
CALLERS = ["anonymous", "member", "outsider"]
CASES = [(kind, state, caller) for kind in KINDS for state in STATES for caller in CALLERS]


def visible(state: str, caller: str) -> bool:
    return state == "live_with_draft" or (state == "restricted" and caller == "member")


def word(kind: str, state: str) -> str:
    """A word only this page's published title holds (search finds pages by it)."""
    return f"wombat{kind.replace('_', '')}{state.replace('_', '')}"


def draft_word(kind: str) -> str:
    """A word only the unpublished draft of the live-with-draft page holds."""
    return f"sekritdraft{kind.replace('_', '')}"


def link(page_id: int) -> str:
    return f'<a linktype="page" id="{page_id}">target {page_id}</a>'


def build_matrix(site) -> SimpleNamespace:
    """Create a page of each kind in each state, and public pages that embed and link them.

    The linking pages are published before the targets reach their state, so each target's
    change (restriction, publish, unpublish) must also re-render what links to it.
    """
    pages: dict[tuple[str, str], Page] = {}
    for kind, (_, factory, parent) in KINDS.items():
        for state in STATES:
            pages[kind, state] = factory(
                parent=getattr(site, parent), title=f"{kind} {word(kind, state)}", live=False
            )
    targets = list(pages.values()) + [site.nasa]
    linker = StandardPageFactory(
        parent=site.home,
        slug="linker",
        title="Links everywhere",
        body=[
            ("paragraph", RichText("<p>" + " ".join(link(page.pk) for page in targets) + "</p>"))
        ],
    )
    publish(linker)
    embedder = RoadmapReleasePageFactory.build(
        slug="embedder", title="Embeds every agency", edition_number=99
    )
    site.roadmap_index.add_child(instance=embedder)
    embedder.contributing_agencies.set([site.nasa] + [pages["member", state] for state in STATES])
    embedder.previous_release = pages["roadmap_release", "restricted"]
    publish(embedder)

    for kind in KINDS:
        pages[kind, "draft_only"].save_revision()  # a draft, never published

        live = publish(pages[kind, "live_with_draft"])
        live.title = f"{kind} {draft_word(kind)}"
        live.save_revision()  # the newer draft

        restricted = pages[kind, "restricted"]
        restrict_to_groups(restricted, "Members")
        publish(restricted)

        publish(pages[kind, "unpublished"]).unpublish()
    release = releases.release_create(title="Pending pages")
    for kind in KINDS:
        pending = pages[kind, "pending_in_release"]
        pending.save_revision()
        releases.release_item_add(release=release, page=pending)
    _link, release_token = previews.release_preview_create(release=release, user=None)
    index_for_search()
    return SimpleNamespace(
        pages=pages, linker=linker, embedder=embedder, release_token=release_token
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The shared site, the matrix pages and a token per caller, built once for the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        site = build_site(Site.objects.get(is_default_site=True).root_page.specific)
        matrix = build_matrix(site)
        matrix.site = site
        matrix.tokens = {
            "anonymous": None,
            "member": token_for(UserFactory(username="agency", groups=["Members"])),
            "outsider": token_for(UserFactory(username="stranger", groups=["Reviewers"])),
        }
        yield matrix
        transaction.set_rollback(True)


def client_for(world, caller: str) -> APIClient:
    client = APIClient()
    if world.tokens[caller]:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {world.tokens[caller]}")
    return client


def get_ok(client, url, **params) -> dict:
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return response.json()


def collection_of(kind: str) -> str:
    return KINDS[kind][0]


# Lists, details and lookups ------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "state", "caller"), CASES)
def test_collection_list(world, kind, state, caller):
    page = world.pages[kind, state]

    listing = get_ok(client_for(world, caller), f"/api/v1/{collection_of(kind)}/", limit=100)

    assert (page.pk in [item["id"] for item in listing["results"]]) == visible(state, caller)


@pytest.mark.parametrize(("kind", "state", "caller"), CASES)
def test_collection_detail(world, kind, state, caller):
    page = world.pages[kind, state]

    response = client_for(world, caller).get(f"/api/v1/{collection_of(kind)}/{page.pk}/")

    assert response.status_code == (200 if visible(state, caller) else 404)


@pytest.mark.parametrize(("kind", "state", "caller"), CASES)
def test_pages_list(world, kind, state, caller):
    page = world.pages[kind, state]

    listing = get_ok(client_for(world, caller), "/api/v1/pages/", limit=100)

    assert listing["count"] < 100
    assert (page.pk in [item["id"] for item in listing["results"]]) == visible(state, caller)


@pytest.mark.parametrize(("kind", "state", "caller"), CASES)
def test_pages_list_of_children(world, kind, state, caller):
    page = world.pages[kind, state]

    listing = get_ok(client_for(world, caller), "/api/v1/pages/", child_of=page.get_parent().pk)

    assert (page.pk in [item["id"] for item in listing["results"]]) == visible(state, caller)


@pytest.mark.parametrize(("kind", "state", "caller"), CASES)
def test_pages_detail(world, kind, state, caller):
    page = world.pages[kind, state]

    response = client_for(world, caller).get(f"/api/v1/pages/{page.pk}/")

    assert response.status_code == (200 if visible(state, caller) else 404)


@pytest.mark.parametrize(("kind", "state", "caller"), CASES)
def test_resolve(world, kind, state, caller):
    page = world.pages[kind, state]
    path = page.url_path.removeprefix(world.site.home.url_path.rstrip("/"))

    response = client_for(world, caller).get("/api/v1/pages/resolve/", {"path": path})

    assert response.status_code == (200 if visible(state, caller) else 404)


@pytest.mark.parametrize(("kind", "state", "caller"), CASES)
def test_search(world, kind, state, caller):
    page = world.pages[kind, state]

    results = get_ok(client_for(world, caller), "/api/v1/search/", q=word(kind, state))

    assert ([r["id"] for r in results["results"]] == [page.pk]) == visible(state, caller)
    assert results["count"] == (1 if visible(state, caller) else 0)


@pytest.mark.parametrize(("kind", "state", "caller"), CASES)
def test_versions_list(world, kind, state, caller):
    page = world.pages[kind, state]

    response = client_for(world, caller).get(f"/api/v1/{collection_of(kind)}/{page.pk}/versions/")

    assert response.status_code == (200 if visible(state, caller) else 404)


@pytest.mark.parametrize(("kind", "state", "caller"), CASES)
def test_version_detail(world, kind, state, caller):
    page = world.pages[kind, state]
    url = f"/api/v1/{collection_of(kind)}/{page.pk}/versions/1/"

    response = client_for(world, caller).get(url)

    assert response.status_code == (200 if visible(state, caller) else 404)


@pytest.mark.parametrize(("kind", "state", "caller"), CASES)
def test_detail_as_of_now(world, kind, state, caller):
    page = world.pages[kind, state]
    url = f"/api/v1/{collection_of(kind)}/{page.pk}/"

    response = client_for(world, caller).get(url, {"as_of": timezone.now().isoformat()})

    assert response.status_code == (200 if visible(state, caller) else 404)


@pytest.mark.parametrize(("kind", "state", "caller"), CASES)
def test_change_feed(world, kind, state, caller):
    """The feed tells everyone who could read a page about it: an unpublished page was public,
    so its entries stay (consumers must learn it went away); a draft never makes an entry."""
    page = world.pages[kind, state]

    entries = get_ok(client_for(world, caller), "/api/v1/changes/", limit=1000)["results"]

    actions = [e["action"] for e in entries if e["id"] == page.pk]
    expected = {
        "draft_only": [],
        "live_with_draft": ["published"],
        "restricted": ["published"] if caller == "member" else [],
        "unpublished": ["published", "unpublished"],
        "pending_in_release": [],
    }[state]
    assert actions == expected


# Embedded relations and links ----------------------------------------------------------------


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("state", STATES)
def test_embedded_agency_appears_only_when_public(world, state, caller):
    """A public release is one document for every reader: it never embeds an agency that an
    anonymous reader could not fetch, whoever asks."""
    agency = world.pages["member", state]

    release = get_ok(client_for(world, caller), f"/api/v1/roadmap-releases/{world.embedder.pk}/")

    embedded = [a["id"] for a in release["contributing_agencies"]]
    assert world.site.nasa.pk in embedded
    assert (agency.pk in embedded) == (state == "live_with_draft")


@pytest.mark.parametrize("caller", CALLERS)
def test_restricted_previous_release_is_not_linked(world, caller):
    release = get_ok(client_for(world, caller), f"/api/v1/roadmap-releases/{world.embedder.pk}/")

    assert release["previous_release"] is None
    assert word("roadmap_release", "restricted") not in str(release)


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(("kind", "state"), [(k, s) for k in KINDS for s in STATES])
def test_rich_text_links_only_to_public_pages(world, kind, state, caller):
    target = world.pages[kind, state]

    html = get_ok(client_for(world, caller), f"/api/v1/pages/{world.linker.pk}/")["body"][0][
        "value"
    ]

    assert f'data-page-id="{world.site.nasa.pk}"' in html
    linked = f'data-page-id="{target.pk}"' in html
    assert linked == (state == "live_with_draft")
    if not linked:
        assert f"<a>target {target.pk}</a>" in html  # the words stay, the link goes
        assert target.slug not in html


# Published content, never the draft --------------------------------------------------------


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("kind", list(KINDS))
def test_live_page_shows_its_published_content_never_the_draft(world, kind, caller):
    page = world.pages[kind, "live_with_draft"]
    client = client_for(world, caller)
    collection = collection_of(kind)
    path = page.url_path.removeprefix(world.site.home.url_path.rstrip("/"))

    served = [
        client.get(f"/api/v1/{collection}/{page.pk}/"),
        client.get(f"/api/v1/pages/{page.pk}/"),
        client.get(f"/api/v1/{collection}/", {"limit": 100}),
        client.get("/api/v1/pages/", {"limit": 100}),
        client.get("/api/v1/pages/resolve/", {"path": path}),
        client.get(f"/api/v1/{collection}/{page.pk}/versions/"),
        client.get(f"/api/v1/{collection}/{page.pk}/versions/1/"),
        client.get("/api/v1/search/", {"q": word(kind, "live_with_draft")}),
        client.get(f"/api/v1/pages/{world.linker.pk}/"),
    ]

    assert all(response.status_code == 200 for response in served)
    assert word(kind, "live_with_draft") in served[0].json()["title"]
    for response in served:
        assert draft_word(kind) not in response.content.decode()
    draft_search = client.get("/api/v1/search/", {"q": draft_word(kind)}).json()
    assert draft_search["count"] == 0


def test_the_page_row_still_holds_the_published_title(world):
    """Guards the premise of the test above: the draft exists, only as a revision."""
    page = StandardPage.objects.get(pk=world.pages["page", "live_with_draft"].pk)

    assert page.has_unpublished_changes
    assert draft_word("page") in page.get_latest_revision_as_object().title
    assert draft_word("page") not in page.title


# Past versions are documents too ---------------------------------------------------------------


@pytest.fixture
def release_made_public(world):
    """A members-only release embedding a members-only agency, then opened to everyone.

    Version 1 was rendered for members and embeds the agency; once the restriction is lifted
    the release is re-rendered for everyone (version 2) without it.
    """
    agency = world.pages["member", "restricted"]
    release = RoadmapReleasePageFactory.build(
        slug="opened-up", title="Opened up", edition_number=77, live=False
    )
    Page.objects.get(pk=world.site.roadmap_index.pk).add_child(instance=release)
    release.contributing_agencies.set([agency])
    restriction = restrict_to_groups(release, "Members")
    publish(release)
    v1_live_at = timezone.now()
    restriction.delete()
    return SimpleNamespace(release=release, agency=agency, v1_live_at=v1_live_at)


def test_a_members_only_version_is_not_served_once_the_item_is_public(world, release_made_public):
    release, agency = release_made_public.release, release_made_public.agency
    anonymous = client_for(world, "anonymous")
    base = f"/api/v1/roadmap-releases/{release.pk}/"

    current = get_ok(anonymous, base)
    versions = get_ok(anonymous, f"{base}versions/")
    old = anonymous.get(f"{base}versions/1/")
    as_of = anonymous.get(base, {"as_of": release_made_public.v1_live_at.isoformat()})

    assert current["version"] == 2
    assert current["contributing_agencies"] == []
    assert [v["number"] for v in versions["results"]] == [2]
    assert versions["count"] == 1
    assert old.status_code == 404
    assert as_of.status_code == 404
    for response in (old, as_of):
        assert agency.title not in response.content.decode()


@pytest.mark.parametrize("caller", ["member", "outsider"])
def test_a_members_only_version_stays_readable_by_members(world, release_made_public, caller):
    release, agency = release_made_public.release, release_made_public.agency
    client = client_for(world, caller)

    old = client.get(f"/api/v1/roadmap-releases/{release.pk}/versions/1/")
    listed = get_ok(client, f"/api/v1/roadmap-releases/{release.pk}/versions/")

    if caller == "member":
        assert [a["id"] for a in old.json()["contributing_agencies"]] == [agency.pk]
        assert [v["number"] for v in listed["results"]] == [1, 2]
    else:
        assert old.status_code == 404
        assert [v["number"] for v in listed["results"]] == [2]


# Pending in a release: only with its token ----------------------------------------------------


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("kind", list(KINDS))
def test_a_page_pending_in_a_release_shows_with_its_token_on_every_endpoint(world, kind, caller):
    page = world.pages[kind, "pending_in_release"]
    client = client_for(world, caller)
    token = {"release_token": world.release_token}
    collection = collection_of(kind)
    path = page.url_path.removeprefix(world.site.home.url_path.rstrip("/"))

    details = [
        client.get(f"/api/v1/{collection}/{page.pk}/", token),
        client.get(f"/api/v1/pages/{page.pk}/", token),
        client.get("/api/v1/pages/resolve/", {"path": path, **token}),
    ]
    lists = [
        client.get(f"/api/v1/{collection}/", {"limit": 100, **token}),
        client.get("/api/v1/pages/", {"limit": 100, **token}),
        client.get("/api/v1/pages/", {"child_of": page.get_parent().pk, **token}),
    ]
    linker = get_ok(client, f"/api/v1/pages/{world.linker.pk}/", **token)

    for response in details:
        assert response.status_code == 200, response.content[:300]
        assert response.json()["id"] == page.pk
        assert response.json()["meta"]["preview"]["release"]["title"] == "Pending pages"
        assert response["Cache-Control"] == "private, no-store"
    for response in lists:
        assert page.pk in ids_of(response)
    assert f'data-page-id="{page.pk}"' in linker["body"][0]["value"]
    if kind == "member":
        embedder = get_ok(client, f"/api/v1/roadmap-releases/{world.embedder.pk}/", **token)
        assert page.pk in [a["id"] for a in embedder["contributing_agencies"]]


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_page_pending_in_a_release_never_shows_without_its_token(world, kind):
    page = world.pages[kind, "pending_in_release"]
    client = client_for(world, "anonymous")
    client.get(f"/api/v1/{collection_of(kind)}/", {"release_token": world.release_token})

    assert client.get(f"/api/v1/{collection_of(kind)}/{page.pk}/").status_code == 404
    assert page.pk not in ids_of(client.get(f"/api/v1/{collection_of(kind)}/", {"limit": 100}))
    assert f'data-page-id="{page.pk}"' not in str(
        get_ok(client, f"/api/v1/pages/{world.linker.pk}/")
    )

"""GET /api/v1/pages/ (every published page, by type or parent) and /api/v1/pages/resolve/."""

import pytest

from .helpers import assert_problem, ids_of

pytestmark = pytest.mark.django_db

ITEM_FIELDS = {
    "id",
    "type",
    "slug",
    "title",
    "url_path",
    "published_at",
    "last_published_at",
    "version",
}

PUBLIC_PAGES = [
    "home",
    "members_index",
    "nasa",
    "esa",
    "jaxa",
    "csa",
    "ukspa",
    "kari",
    "roadmap_index",
    "ger1",
    "ger2",
    "ger3",
    "supplement",
    "faq_index",
    "faq_isecg",
    "faq_roadmap",
    "about",
]


def test_pages_lists_every_public_page_in_tree_order(api_client, shared_site):
    response = api_client.get("/api/v1/pages/?limit=100")

    assert ids_of(response) == [getattr(shared_site, name).pk for name in PUBLIC_PAGES]
    assert response.json()["count"] == len(PUBLIC_PAGES)


@pytest.mark.parametrize(
    ("name", "page_type", "url_path"),
    [
        ("home", "home", "/"),
        ("members_index", "members_index", "/members/"),
        ("nasa", "member", "/members/nasa/"),
        ("roadmap_index", "roadmap_index", "/roadmap/"),
        ("ger2", "roadmap_release", "/roadmap/ger-2/"),
        ("faq_index", "faq_index", "/faq/"),
        ("faq_isecg", "faq", "/faq/isecg/"),
    ],
)
def test_page_detail_of_every_type_has_the_item_fields(
    api_client, shared_site, name, page_type, url_path
):
    page = getattr(shared_site, name)

    response = api_client.get(f"/api/v1/pages/{page.pk}/")

    assert response.status_code == 200
    item = response.json()
    assert set(item) >= ITEM_FIELDS
    assert item["id"] == page.pk
    assert item["type"] == page_type
    assert item["slug"] == page.slug
    assert item["title"] == page.title
    assert item["url_path"] == url_path
    assert item["version"] >= 1


def test_a_typed_item_is_the_same_document_under_pages(api_client, shared_site):
    typed = api_client.get(f"/api/v1/members/{shared_site.nasa.pk}/")
    generic = api_client.get(f"/api/v1/pages/{shared_site.nasa.pk}/")

    assert typed.content == generic.content
    assert typed["ETag"] == generic["ETag"]


@pytest.mark.parametrize(
    ("page_type", "expected"),
    [
        ("home", ["home"]),
        ("faq", ["faq_isecg", "faq_roadmap"]),
        ("faq_index", ["faq_index"]),
        ("member", ["nasa", "esa", "jaxa", "csa", "ukspa", "kari"]),
        ("roadmap_release", ["ger1", "ger2", "ger3", "supplement"]),
        ("page", ["about"]),  # the other standard pages are in the Private Area
    ],
)
def test_pages_filter_by_type(api_client, shared_site, page_type, expected):
    response = api_client.get(f"/api/v1/pages/?type={page_type}&limit=100")

    assert ids_of(response) == [getattr(shared_site, name).pk for name in expected]


def test_pages_filter_by_parent(api_client, shared_site):
    response = api_client.get(f"/api/v1/pages/?child_of={shared_site.roadmap_index.pk}")

    assert ids_of(response) == [
        shared_site.ger1.pk,
        shared_site.ger2.pk,
        shared_site.ger3.pk,
        shared_site.supplement.pk,
    ]


def test_pages_filters_combine(api_client, shared_site):
    response = api_client.get(f"/api/v1/pages/?child_of={shared_site.home.pk}&type=faq_index")

    assert ids_of(response) == [shared_site.faq_index.pk]


def test_children_of_an_unknown_page_is_an_empty_list(api_client, shared_site):
    assert ids_of(api_client.get("/api/v1/pages/?child_of=987654")) == []


def test_pages_fields_may_name_a_field_of_any_type(api_client, shared_site):
    response = api_client.get("/api/v1/pages/?type=member&fields=acronym,title&limit=1")

    assert response.json()["results"] == [
        {
            "id": shared_site.nasa.pk,
            "type": "member",
            "acronym": "NASA",
            "title": "National Aeronautics and Space Administration",
        }
    ]


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/", "home"),
        ("/members/", "members_index"),
        ("/members/nasa/", "nasa"),
        ("/members/nasa", "nasa"),
        ("/roadmap/ger-supplement-2020/", "supplement"),
        ("/faq/isecg/", "faq_isecg"),
    ],
)
def test_resolve_finds_the_page_a_frontend_route_shows(api_client, shared_site, path, name):
    page = getattr(shared_site, name)

    response = api_client.get("/api/v1/pages/resolve/", {"path": path})

    assert response.status_code == 200
    assert response.content == api_client.get(f"/api/v1/pages/{page.pk}/").content


def test_resolve_fields_subset(api_client, shared_site):
    response = api_client.get(
        "/api/v1/pages/resolve/", {"path": "/members/esa/", "fields": "title"}
    )

    assert response.json() == {
        "id": shared_site.esa.pk,
        "type": "member",
        "title": "European Space Agency",
    }


@pytest.mark.parametrize("path", ["/members/nobody/", "/home/members/", "/faq/isecg/extra/"])
def test_resolve_of_a_path_without_a_page_is_a_404_problem(api_client, shared_site, path):
    body = assert_problem(api_client.get("/api/v1/pages/resolve/", {"path": path}), 404)

    assert path in body["detail"]

"""Bad input and unknown paths answer problem+json with a `detail` saying what was wrong."""

import pytest

from .helpers import assert_problem

pytestmark = pytest.mark.django_db

# Every GET endpoint, with the placeholders filled from the shared site.
ENDPOINTS = [
    "/api/v1/faqs/",
    "/api/v1/faqs/{faq}/",
    "/api/v1/faqs/{faq}/versions/",
    "/api/v1/faqs/{faq}/versions/1/",
    "/api/v1/members/",
    "/api/v1/members/{member}/",
    "/api/v1/members/{member}/versions/",
    "/api/v1/members/{member}/versions/1/",
    "/api/v1/roadmap-releases/",
    "/api/v1/roadmap-releases/{release}/",
    "/api/v1/roadmap-releases/{release}/versions/",
    "/api/v1/roadmap-releases/{release}/versions/1/",
    "/api/v1/pages/",
    "/api/v1/pages/{page}/",
    "/api/v1/pages/{page}/versions/",
    "/api/v1/pages/{page}/versions/1/",
    "/api/v1/pages/resolve/?path=/members/nasa/",
    "/api/v1/search/?q=agency",
    "/api/v1/changes/",
    "/api/v1/sitemap/",
    "/api/v1/health/",
    "/api/v1/",
]


def url_for(template: str, site) -> str:
    return template.format(
        faq=site.faq_isecg.pk, member=site.nasa.pk, release=site.ger3.pk, page=site.home.pk
    )


def with_param(url: str, param: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{param}"


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_endpoint_answers_json(api_client, shared_site, endpoint):
    response = api_client.get(url_for(endpoint, shared_site))

    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_unknown_query_parameter_is_a_400_naming_it(api_client, shared_site, endpoint):
    response = api_client.get(with_param(url_for(endpoint, shared_site), "colour=blue"))

    body = assert_problem(response, 400)
    assert "'colour'" in body["detail"]


@pytest.mark.parametrize(
    ("url", "mentions"),
    [
        ("/api/v1/members/?country=XX", "country"),
        ("/api/v1/members/?country=us", "country"),
        ("/api/v1/members/?iss_partner=maybe", "iss_partner"),
        ("/api/v1/members/?joined_after=soon", "joined_after"),
        ("/api/v1/members/?joined_before=1.5", "joined_before"),
        ("/api/v1/members/?ordering=bogus", "ordering"),
        ("/api/v1/members/?ordering=release_date", "ordering"),
        ("/api/v1/members/?limit=0", "limit"),
        ("/api/v1/members/?limit=101", "limit"),
        ("/api/v1/members/?limit=abc", "limit"),
        ("/api/v1/members/?limit=", "limit"),
        ("/api/v1/members/?offset=-1", "offset"),
        ("/api/v1/members/?offset=abc", "offset"),
        ("/api/v1/members/?fields=", "fields"),
        ("/api/v1/members/?fields=acronym,bogus", "bogus"),
        ("/api/v1/members/?limit=1&limit=2", "limit"),
        ("/api/v1/members/?offset=99999999999999999999", "offset"),
        ("/api/v1/members/?joined_after=99999999999999999999", "joined_after"),
        ("/api/v1/roadmap-releases/?year=abc", "year"),
        ("/api/v1/roadmap-releases/?year=2018.5", "year"),
        ("/api/v1/roadmap-releases/?year=99999999999999999999", "year"),
        ("/api/v1/roadmap-releases/?kind=novel", "kind"),
        ("/api/v1/roadmap-releases/?ordering=title", "ordering"),
        ("/api/v1/faqs/?limit=1000", "limit"),
        ("/api/v1/pages/?child_of=abc", "child_of"),
        ("/api/v1/pages/?child_of=1.5", "child_of"),
        ("/api/v1/pages/?child_of=99999999999999999999", "child_of"),
        ("/api/v1/pages/?type=blog", "type"),
        ("/api/v1/pages/resolve/", "path"),
        ("/api/v1/pages/resolve/?path=members/nasa/", "path"),
        ("/api/v1/pages/resolve/?path=/members/%00/", "path"),
        ("/api/v1/search/", "q"),
        ("/api/v1/search/?q=", "q"),
        ("/api/v1/search/?q=" + "x" * 201, "q"),
        ("/api/v1/search/?q=%00", "q"),
        ("/api/v1/search/?q=nasa&type=blog", "type"),
        ("/api/v1/search/?q=nasa&limit=101", "limit"),
        ("/api/v1/changes/?cursor=garbage", "cursor"),
        ("/api/v1/changes/?cursor=", "cursor"),
        ("/api/v1/changes/?limit=0", "limit"),
        ("/api/v1/changes/?limit=1001", "limit"),
    ],
)
def test_bad_value_is_a_400_with_a_helpful_detail(api_client, shared_site, url, mentions):
    body = assert_problem(api_client.get(url), 400)

    assert mentions in body["detail"]


@pytest.mark.parametrize(
    "value", ["garbage", "2024-13-45T00:00:00Z", "yesterday", "0001-01-01T00:00:00%2B14:00"]
)
def test_bad_as_of_is_a_400(api_client, shared_site, value):
    body = assert_problem(
        api_client.get(f"/api/v1/members/{shared_site.nasa.pk}/?as_of={value}"), 400
    )

    assert "as_of" in body["detail"]
    assert "ISO 8601" in body["detail"]


@pytest.mark.parametrize("value", ["2099-01-01T00:00:00", "2099-01-01"])
def test_as_of_without_a_zone_means_utc(api_client, shared_site, value):
    response = api_client.get(f"/api/v1/members/{shared_site.nasa.pk}/?as_of={value}")

    assert response.status_code == 200
    assert response.json()["acronym"] == "NASA"


@pytest.mark.parametrize("query", ['"agency', "agency!", "(agency)", "agency*"])
def test_search_punctuation_is_not_query_syntax(api_client, shared_site, query):
    response = api_client.get("/api/v1/search/", {"q": query})

    assert response.status_code == 200
    assert response.json()["count"] == 6


def test_an_error_does_not_break_the_next_request(api_client, shared_site):
    """A 400 must not poison the surrounding database transaction (the view owns none)."""
    assert_problem(api_client.get("/api/v1/members/?limit=0"), 400)

    assert api_client.get(f"/api/v1/members/{shared_site.nasa.pk}/").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/faqs/987654/",
        "/api/v1/members/987654/",
        "/api/v1/roadmap-releases/987654/",
        "/api/v1/pages/987654/",
        "/api/v1/members/987654/versions/",
        "/api/v1/pages/987654/versions/1/",
        "/api/v1/pages/resolve/?path=/no/such/page/",
        "/api/v1/members/99999999999999999999/",
        "/api/v1/pages/99999999999999999999/versions/",
    ],
)
def test_unknown_item_is_a_404_problem(api_client, shared_site, url):
    body = assert_problem(api_client.get(url), 404)

    assert any(part in body["detail"] for part in ("987654", "/no/such/page/", "999999"))


@pytest.mark.parametrize("number", ["9", "99999999999999999999"])
def test_unknown_version_number_is_a_404_problem(api_client, shared_site, number):
    url = f"/api/v1/members/{shared_site.nasa.pk}/versions/{number}/"

    body = assert_problem(api_client.get(url), 404)
    assert number in body["detail"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize(
    "endpoint", ["/api/v1/members/", "/api/v1/pages/{page}/", "/api/v1/search/"]
)
def test_writes_are_405_problems(api_client, shared_site, method, endpoint):
    response = getattr(api_client, method)(url_for(endpoint, shared_site), {}, format="json")

    body = assert_problem(response, 405)
    assert method.upper() in body["detail"]
    assert "GET" in response["Allow"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_asking_only_for_html_is_a_406_problem(api_client, shared_site, endpoint):
    response = api_client.get(url_for(endpoint, shared_site), HTTP_ACCEPT="text/html")

    assert_problem(response, 406)


@pytest.mark.parametrize(
    "accept", ["application/json", "*/*", "text/html, */*;q=0.8", "application/*"]
)
def test_accept_headers_that_allow_json_get_json(api_client, shared_site, accept):
    response = api_client.get("/api/v1/members/", HTTP_ACCEPT=accept)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


UNKNOWN_PATHS = [
    "/api/",
    "/api/v1",  # the index is /api/v1/ (tests/test_api_index.py)
    "/api/v1/nothing-here/",
    "/api/v2/members/",
    "/api/v1/members/nasa/",
    "/api/v1/members/5/versions/latest/",
    "/api/v1/members",
]


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("path", UNKNOWN_PATHS)
def test_unknown_api_paths_are_404_problems_even_with_debug(api_client, db, settings, path, debug):
    settings.DEBUG = debug

    response = api_client.get(path)

    if response.status_code == 301:  # APPEND_SLASH: the redirect target is a problem too
        response = api_client.get(response["Location"])
    body = assert_problem(response, 404)
    assert "/api/v1/docs/" in body["detail"]


def test_unknown_api_path_with_post_is_a_problem_too(api_client, db):
    assert_problem(api_client.post("/api/v1/nothing-here/", {}), 404)


def test_problem_answers_are_never_cached(api_client, db):
    response = api_client.get("/api/v1/members/?limit=0")

    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("path", "status"),
    [("/api/v1/members/", 200), ("/api/v1/schema/", 200), ("/api/v1/docs/", 405)],
)
def test_options_never_fails(api_client, db, path, status):
    response = api_client.options(path)

    assert response.status_code == status
    if status == 405:
        assert_problem(response, 405)
        assert response["Allow"] == "GET, HEAD"

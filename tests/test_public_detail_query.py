"""Anonymous detail reads run a query compiled once: same answers as the visibility rule."""

import pytest
from django.contrib.auth.models import Group
from django.utils.http import http_date
from wagtail.models import APIToken, PageViewRestriction

from api.selectors import _documents, document_get
from documents.audience import ANONYMOUS
from pipeline.models import LiveDocument

from .factories import MemberProfilePageFactory, MembersIndexPageFactory, UserFactory


@pytest.fixture
def member(home):
    index = MembersIndexPageFactory(parent=home)
    index.save_revision().publish()
    page = MemberProfilePageFactory(parent=index, title="European Space Agency", country="")
    page.save_revision().publish()
    return page


def restrict(page):
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(Group.objects.get(name="Members"))


def test_an_anonymous_detail_serves_the_stored_document_in_one_query(
    member, api_client, django_assert_num_queries
):
    stored = LiveDocument.objects.select_related("version").get(page=member).version
    with django_assert_num_queries(1):
        response = api_client.get(f"/api/v1/members/{member.pk}/")

    assert response.status_code == 200
    assert response.content.decode() == stored.body
    assert response["ETag"] == f'"{stored.etag}"'
    assert response["Last-Modified"] == http_date(stored.published_at.timestamp())


def test_the_compiled_query_answers_what_the_queryset_answers(member):
    for page_id, page_type in [(member.pk, "member"), (member.pk, None), (member.pk, "faq")]:
        expected = _documents(ANONYMOUS, page_id, page_type).first()
        document = document_get(caller=ANONYMOUS, page_id=page_id, page_type=page_type)
        got = (
            None
            if document is None
            else (
                document.body,
                document.etag,
                document.published_at,
                document.public,
                document.version_id,
            )
        )
        assert got == expected
    assert document_get(caller=ANONYMOUS, page_id=member.pk + 1000) is None


# Not-found cases are checked on the selector: under the test transaction an API 404 also
# trips DRF's set_rollback() before Wagtail's redirect middleware queries (a test-only 500).


def test_an_item_of_another_collection_is_not_found(member, api_client):
    assert document_get(caller=ANONYMOUS, page_id=member.pk, page_type="faq") is None
    assert api_client.get(f"/api/v1/pages/{member.pk}/").status_code == 200


def test_an_unpublished_item_is_not_found(member):
    member.unpublish()
    assert document_get(caller=ANONYMOUS, page_id=member.pk, page_type="member") is None


def test_a_restricted_item_is_hidden_from_anonymous_callers_only(member, api_client):
    restrict(member)
    _, token = APIToken.create_token(user=UserFactory(groups=["Members"]), name="member")

    assert document_get(caller=ANONYMOUS, page_id=member.pk, page_type="member") is None
    response = api_client.get(f"/api/v1/members/{member.pk}/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("private")

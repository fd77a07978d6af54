"""API tokens (Wagtail's APIToken): they identify a member; they never grant drafts."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from wagtail.models import APIToken

from .factories import UserFactory
from .helpers import assert_problem, fresh, token_for

pytestmark = pytest.mark.django_db


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def assert_unauthorized(response) -> dict:
    body = assert_problem(response, 401)
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    return body


def test_a_member_token_reads_members_only_content(member_client, api_client, shared_site):
    url = f"/api/v1/pages/{shared_site.meeting_notes.pk}/"

    assert member_client.get(url).status_code == 200
    assert api_client.get(url).status_code == 404


def test_a_token_of_another_group_does_not(other_client, shared_site):
    assert other_client.get(f"/api/v1/pages/{shared_site.private.pk}/").status_code == 404


def test_a_revoked_token_is_refused(member, member_client, shared_site):
    APIToken.objects.filter(user=member).update(revoked_at=timezone.now())

    body = assert_unauthorized(member_client.get("/api/v1/members/"))

    assert "revoked" in body["detail"]


def test_the_token_of_a_deactivated_user_is_refused(member, member_client, shared_site):
    member.is_active = False
    member.save()

    assert_unauthorized(member_client.get("/api/v1/members/"))


def test_an_unknown_token_of_the_right_format_is_refused(shared_site):
    assert_unauthorized(bearer(APIToken.generate_token()).get("/api/v1/members/"))


@pytest.mark.parametrize(
    "header",
    ["Bearer not-a-token", "Bearer wagtail_short", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc"],
)
def test_a_malformed_authorization_header_is_refused(api_client, shared_site, header):
    response = api_client.get("/api/v1/members/", HTTP_AUTHORIZATION=header)

    body = assert_unauthorized(response)
    assert "token" in body["detail"].lower()


def test_a_refused_token_is_refused_on_every_endpoint(api_client, shared_site):
    for url in ["/api/v1/members/", "/api/v1/search/?q=nasa", "/api/v1/changes/"]:
        assert_unauthorized(api_client.get(url, HTTP_AUTHORIZATION="Bearer nope"))


@pytest.mark.parametrize("groups", [["Editors"], ["Reviewers"], ["Members", "Editors"]])
def test_no_token_exposes_a_draft_whatever_its_user_may_edit(api_client, shared_site, groups):
    page = fresh(shared_site.nasa)
    page.summary = "Draft: not yet approved."
    page.save_revision()
    client = bearer(token_for(UserFactory(groups=groups)))

    served = client.get(f"/api/v1/members/{page.pk}/")

    assert served.status_code == 200
    assert served.json()["summary"] == "NASA is a member agency."
    assert b"not yet approved" not in client.get("/api/v1/members/").content


def test_a_superuser_token_sees_no_draft_either(shared_site):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    page = fresh(shared_site.esa)
    page.title = "ESA (draft title)"
    page.save_revision()

    served = bearer(token_for(superuser)).get(f"/api/v1/members/{page.pk}/").json()

    assert served["title"] == "European Space Agency"


def test_using_a_token_records_when_it_was_last_used(member, member_client, shared_site):
    assert APIToken.objects.get(user=member).last_used_at is None

    member_client.get("/api/v1/members/")

    assert APIToken.objects.get(user=member).last_used_at is not None

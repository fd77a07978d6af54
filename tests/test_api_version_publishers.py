"""Who published a version (`published_by`, a staff name, and `revision_id`) is for the CMS's
own staff: a token of a user who may use the admin sees them; anonymous callers and members get
neither field."""

import pytest
from rest_framework.test import APIClient

from .factories import UserFactory
from .helpers import edit, token_for

pytestmark = pytest.mark.django_db


def client_with(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
    return client


CALLERS = {
    "anonymous": lambda: None,
    "member": lambda: UserFactory(username="agency", groups=["Members"]),
    "editor": lambda: UserFactory(username="staffer", groups=["Editors"]),
    "reviewer": lambda: UserFactory(username="checker", groups=["Reviewers"]),
    "superuser": lambda: UserFactory(username="root", is_superuser=True),
    "inactive editor": lambda: UserFactory(username="gone", groups=["Editors"], is_active=False),
}
SEES_PUBLISHERS = {"editor", "reviewer", "superuser"}


@pytest.mark.parametrize("caller", CALLERS)
def test_only_the_cms_staff_see_who_published_a_version(site, caller):
    """Before: anyone saw `"published_by": "admin", "revision_id": 58`."""
    publisher = UserFactory(
        username="ada", first_name="Ada", last_name="Lovelace", groups=["Reviewers"]
    )
    nasa = edit(site.nasa, user=publisher, summary="Published by Ada.")
    url = f"/api/v1/members/{nasa.pk}/versions/"

    response = client_with(CALLERS[caller]()).get(url)

    if caller == "inactive editor":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    latest = response.json()["results"][-1]
    if caller in SEES_PUBLISHERS:
        assert latest["published_by"] == "Ada Lovelace"
        assert latest["revision_id"] == nasa.live_revision_id
    else:
        assert "published_by" not in latest and "revision_id" not in latest
        assert "Ada" not in response.content.decode()
    assert {"number", "published_at", "live_until", "etag", "cause", "api_url"} <= set(latest)


def test_the_anonymous_versions_list_stays_public_and_cacheable(site, api_client):
    response = api_client.get(f"/api/v1/members/{site.nasa.pk}/versions/")

    assert response["Cache-Control"].startswith("public")
    assert "published_by" not in response.content.decode()

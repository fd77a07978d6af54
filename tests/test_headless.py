"""The CMS is headless: page URLs on the CMS host lead to the frontend."""

from django.contrib.auth.models import Group
from wagtail.models import APIToken

from .factories import MemberProfilePageFactory, MembersIndexPageFactory


def test_page_url_on_cms_host_redirects_to_frontend(client, home, settings):
    settings.FRONTEND_URL = "https://www.example.org"
    index = MembersIndexPageFactory(parent=home)
    MemberProfilePageFactory(parent=index, slug="nasa")

    response = client.get("/members/nasa/")

    assert response.status_code == 302
    assert response["Location"] == "https://www.example.org/members/nasa/"


def test_admin_creates_and_revokes_member_api_tokens(client, superuser, db):
    member = superuser.__class__.objects.create_user("agency", password="x")
    member.groups.add(Group.objects.get(name="Members"))
    client.force_login(superuser)

    response = client.post("/admin/api-tokens/new/", {"name": "ESA portal", "user": member.pk})

    assert response.status_code == 200
    token = APIToken.objects.get(user=member)
    assert token.prefix.encode() in response.content  # the plaintext is shown once
    response = client.post(f"/admin/api-tokens/delete/{token.pk}/")
    token.refresh_from_db()
    assert token.revoked_at is not None

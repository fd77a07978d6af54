"""GET /api/v1/preview/: the draft a token grants, in exactly the delivery shape of its type."""

import datetime
import json

import pytest
from django.utils import timezone

from documents.registry import render_data
from documents.rendering import RenderContext
from preview import services, tokens
from preview.models import ShareLink, ShareLinkUse

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

OLD_ANSWER = "<p>The published answer.</p>"
NEW_ANSWER = "<p>The draft answer nobody may see yet.</p>"
DAY = datetime.timedelta(days=1)


@pytest.fixture
def faq(home):
    """A published FAQ section, then edited: its latest revision is an unpublished draft."""
    index = FAQIndexPageFactory(parent=home)
    index.save_revision().publish()
    section = FAQPageFactory(parent=index, title="ISECG")
    FAQQuestionFactory(page=section, question="What is ISECG?", answer=OLD_ANSWER)
    section.save_revision().publish()
    edit_answer(section, NEW_ANSWER)
    section.refresh_from_db()
    return section


def edit_answer(page, answer):
    """Save a new revision with the first answer changed, as the editor's form would."""
    draft = page.get_latest_revision_as_object()
    draft.questions.all()[0].answer = answer
    return draft.save_revision()


def share(page, user=None, expires_in=DAY):
    return services.share_link_create(
        page=page, revision=page.latest_revision, user=user, expires_in=expires_in
    )


def get_preview(client, token, **params):
    return client.get("/api/v1/preview/", {"token": token, **params})


def assert_refused(response, status, reason):
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["reason"] == reason
    assert problem["status"] == status
    assert problem["detail"]
    assert "draft answer" not in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    return problem


def test_share_link_returns_the_draft_in_the_delivery_shape_of_its_type(api_client, faq):
    _link, token = share(faq)

    response = get_preview(api_client, token)

    assert response.status_code == 200
    document = response.json()
    meta = document.pop("meta")
    published = api_client.get(f"/api/v1/faqs/{faq.pk}/").json()
    assert list(document) == list(published)
    assert document["questions"][0]["answer"] == NEW_ANSWER
    assert published["questions"][0]["answer"] == OLD_ANSWER
    expected = render_data(faq.latest_revision.as_object(), RenderContext())
    assert document == json.loads(json.dumps(expected, default=str))
    assert meta == {
        "preview": True,
        "kind": "share",
        "revision_id": faq.latest_revision_id,
        "expires_at": meta["expires_at"],
    }


def test_preview_responses_are_private_never_cached_and_not_indexed(api_client, faq):
    _link, token = share(faq)

    response = get_preview(api_client, token)

    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex"
    assert response["Referrer-Policy"] == "no-referrer"
    etag = response["ETag"]
    assert etag.startswith('"') and len(etag) == 66  # strong: a quoted SHA-256

    revalidated = api_client.get("/api/v1/preview/", {"token": token}, HTTP_IF_NONE_MATCH=etag)
    assert revalidated.status_code == 304
    assert revalidated["Cache-Control"] == "private, no-store"


def test_share_link_keeps_showing_its_revision_after_newer_edits(api_client, faq):
    _link, token = share(faq)
    edit_answer(faq, "<p>A later edit.</p>")

    document = get_preview(api_client, token).json()

    assert document["questions"][0]["answer"] == NEW_ANSWER


def test_share_link_use_is_logged_with_time_and_ip(api_client, faq):
    link, token = share(faq)

    get_preview(api_client, token, id=faq.pk)

    use = ShareLinkUse.objects.get(link=link)
    assert use.ip == "127.0.0.1"
    assert use.outcome == "served"
    assert timezone.now() - use.at < datetime.timedelta(minutes=1)


def test_token_for_another_page_is_a_403_saying_so(api_client, faq, home):
    link, token = share(faq)

    response = get_preview(api_client, token, id=home.pk)

    problem = assert_refused(response, 403, "wrong_page")
    assert f"not page {home.pk}" in problem["detail"]
    assert ShareLinkUse.objects.get(link=link).outcome == "wrong_page"


def test_revoked_share_link_is_a_403_saying_so(api_client, faq, editor):
    link, token = share(faq)
    services.link_revoke(link=link, user=editor)

    problem = assert_refused(get_preview(api_client, token), 403, "revoked")

    assert "revoked" in problem["detail"]
    assert ShareLinkUse.objects.get(link=link).outcome == "revoked"


def test_share_link_past_its_stored_expiry_is_a_401_saying_so(api_client, faq):
    link, token = share(faq)
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - DAY)

    problem = assert_refused(get_preview(api_client, token), 401, "expired")

    assert "expired" in problem["detail"]


def test_token_past_its_signed_expiry_is_a_401_saying_so(api_client, faq):
    past = (timezone.now() - DAY).replace(microsecond=0)
    token = tokens.token_make(
        kind="share", page_id=faq.pk, revision_id=faq.latest_revision_id, expires_at=past
    )
    ShareLink.objects.create(
        page=faq, revision=faq.latest_revision, expires_at=past, token_hash=tokens.token_hash(token)
    )

    assert_refused(get_preview(api_client, token), 401, "expired")


def test_tampered_token_is_a_401_saying_so(api_client, faq):
    _link, token = share(faq)
    payload, rest = token.split(":", 1)
    tampered = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1] + ":" + rest

    problem = assert_refused(get_preview(api_client, tampered), 401, "invalid")

    assert "not valid" in problem["detail"]


def test_no_token_is_a_401_and_never_the_draft(api_client, faq):
    share(faq)

    assert_refused(api_client.get("/api/v1/preview/"), 401, "missing")
    assert_refused(get_preview(api_client, ""), 401, "missing")


def test_unknown_parameter_and_bad_id_are_400(api_client, faq):
    _link, token = share(faq)

    assert get_preview(api_client, token, page=1).status_code == 400
    assert get_preview(api_client, token, id="abc").status_code == 400


def test_token_of_a_deleted_page_is_refused(api_client, faq):
    _link, token = share(faq)
    faq.delete()

    assert_refused(get_preview(api_client, token), 401, "invalid")


def test_drafts_stay_out_of_the_delivery_api(api_client, faq):
    share(faq)

    published = api_client.get(f"/api/v1/faqs/{faq.pk}/").json()
    listing = api_client.get("/api/v1/faqs/").content.decode()

    assert published["questions"][0]["answer"] == OLD_ANSWER
    assert "draft answer" not in listing


def test_frontend_origin_may_call_the_preview_api(api_client, faq):
    _link, token = share(faq)

    response = api_client.get(
        "/api/v1/preview/", {"token": token}, HTTP_ORIGIN="https://frontend.example"
    )

    assert response["Access-Control-Allow-Origin"] == "https://frontend.example"


def _tree(home):
    faq_index = FAQIndexPageFactory(parent=home)
    members = MembersIndexPageFactory(parent=home)
    roadmap = RoadmapIndexPageFactory(parent=home)
    section = FAQPageFactory(parent=faq_index)
    FAQQuestionFactory(page=section)
    return {
        "home": home,
        "page": StandardPageFactory(parent=home),
        "faq_index": faq_index,
        "faq": section,
        "members_index": members,
        "member": MemberProfilePageFactory(parent=members),
        "roadmap_index": roadmap,
        "roadmap_release": RoadmapReleasePageFactory(parent=roadmap),
    }


@pytest.mark.parametrize(
    "page_type",
    [
        "home",
        "page",
        "faq_index",
        "faq",
        "members_index",
        "member",
        "roadmap_index",
        "roadmap_release",
    ],
)
def test_every_page_type_previews_even_if_never_published(api_client, home, page_type):
    page = _tree(home)[page_type]
    page.title = f"Draft title of {page_type}"
    page.save_revision()
    page.refresh_from_db()
    _link, token = share(page)

    response = get_preview(api_client, token, id=page.pk)

    assert response.status_code == 200
    document = response.json()
    assert document["type"] == page_type
    assert document["id"] == page.pk
    assert document["title"] == f"Draft title of {page_type}"
    assert document["version"] is None
    expected = render_data(page.latest_revision.as_object(), RenderContext())
    assert set(document) == set(expected) | {"meta"}

"""Validators and dates derive only from what the caller may see: a change to a members-only
page moves no `ETag` and no `Last-Modified` of any list, search, lookup or feed for an
anonymous caller or a token outside the page's audience; for a member, what changed moves."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from pipeline.models import Change, PublishedVersion

from .factories import UserFactory
from .helpers import index_for_search, publish, token_for

pytestmark = pytest.mark.django_db

CALLERS = ["anonymous", "member", "outsider"]


def urls(site) -> list[str]:
    """Every list-like endpoint, with queries that include and that exclude the hidden page."""
    return [
        "/api/v1/pages/",
        "/api/v1/pages/?limit=100",
        f"/api/v1/pages/?child_of={site.private.pk}",
        f"/api/v1/pages/?child_of={site.home.pk}&limit=100",
        "/api/v1/pages/?slug=no-such-page",
        "/api/v1/members/",
        "/api/v1/faqs/",
        "/api/v1/roadmap-releases/",
        "/api/v1/search/?q=agency",
        "/api/v1/search/?q=meeting",
        "/api/v1/search/?q=nothingmatchesthis",
        "/api/v1/changes/",
        "/api/v1/changes/?limit=1",
        f"/api/v1/members/{site.nasa.pk}/versions/",
        "/api/v1/pages/resolve/?path=/members/nasa/",
        f"/api/v1/members/{site.nasa.pk}/",
    ]


def client_for(caller: str) -> APIClient:
    client = APIClient()
    if caller != "anonymous":
        group = "Members" if caller == "member" else "Reviewers"
        user = UserFactory(username=f"{caller}-caller", groups=[group])
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
    return client


def validators(client, site) -> dict[str, tuple[str, str | None]]:
    answers = {}
    for url in urls(site):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        answers[url] = (response["ETag"], response.get("Last-Modified"))
    return answers


def age_everything(days: int = 1) -> None:
    """Date everything published so far a day back: a change made now is then a later second
    (Last-Modified has one-second resolution)."""
    shift = datetime.timedelta(days=days)
    for version in PublishedVersion.objects.all():
        PublishedVersion.objects.filter(pk=version.pk).update(
            published_at=version.published_at - shift,
            live_until=version.live_until - shift if version.live_until else None,
        )
    for change in Change.objects.all():
        Change.objects.filter(pk=change.pk).update(at=change.at - shift)


@pytest.mark.parametrize("caller", CALLERS)
def test_a_hidden_change_moves_no_validator_of_what_the_caller_sees(site, caller):
    """Before: for a token that cannot see the changed page, Last-Modified of search, of empty
    lists and of the feed moved to the hidden change's time, and the feed's ETag moved (its
    cursor skipped past the hidden entry)."""
    index_for_search()
    age_everything()
    client = client_for(caller)
    before = validators(client, site)

    notes = type(site.meeting_notes).objects.get(pk=site.meeting_notes.pk)
    notes.title = "Meeting notes, revised"
    publish(notes)
    index_for_search()
    after = validators(client, site)

    moved = sorted(url for url in before if before[url] != after[url])
    if caller == "member":
        assert "/api/v1/pages/?limit=100" in moved  # it can see the change
        assert "/api/v1/changes/" in moved
    else:
        assert moved == [], moved


def test_the_hidden_change_is_recent(site):
    """The premise of the test above: the members-only change is dated after everything else."""
    age_everything()
    notes = type(site.meeting_notes).objects.get(pk=site.meeting_notes.pk)
    publish(notes)

    newest = Change.objects.order_by("-seq").first()
    assert newest.page_id == notes.pk and not newest.is_public
    assert newest.at > timezone.now() - datetime.timedelta(minutes=5)

"""GET /api/v1/changes/: the change log as a feed, followed with a cursor."""

import pytest

from .conftest import fresh, publish
from .factories import StandardPageFactory

pytestmark = pytest.mark.django_db

ENTRY_FIELDS = {"seq", "action", "type", "id", "version", "at", "release", "api_url"}


def feed(client, **params):
    response = client.get("/api/v1/changes/", params)
    assert response.status_code == 200, response.content[:300]
    return response.json()


def test_the_feed_lists_each_publish_in_commit_order(api_client, shared_site):
    page = feed(api_client, limit=1000)

    entries = page["results"]
    assert set(page) == {"results", "next", "next_url", "has_more"}
    assert all(set(entry) == ENTRY_FIELDS for entry in entries)
    assert [e["seq"] for e in entries] == sorted(e["seq"] for e in entries)
    assert entries[0]["id"] == shared_site.home.pk
    nasa = next(e for e in entries if e["id"] == shared_site.nasa.pk)
    assert nasa["action"] == "published"
    assert nasa["type"] == "member"
    assert nasa["version"] == 1
    assert nasa["api_url"] == f"/api/v1/members/{shared_site.nasa.pk}/"
    assert page["has_more"] is False


def test_following_the_cursor_reads_every_entry_once(api_client, shared_site):
    everything = [e["seq"] for e in feed(api_client, limit=1000)["results"]]

    seen, cursor = [], None
    while True:
        page = feed(api_client, limit=3, **({"cursor": cursor} if cursor else {}))
        seen += [e["seq"] for e in page["results"]]
        cursor = page["next"]
        if not page["has_more"]:
            break

    assert seen == everything


def test_next_url_continues_the_feed(api_client, shared_site):
    first = feed(api_client, limit=2)

    second = api_client.get(first["next_url"]).json()

    assert second["results"][0]["seq"] > first["results"][-1]["seq"]


def test_a_cursor_at_the_end_waits_for_new_entries(api_client, shared_site):
    end = feed(api_client, limit=1000)["next"]
    assert feed(api_client, cursor=end)["results"] == []

    publish(fresh(shared_site.kari))

    entries = feed(api_client, cursor=end)["results"]
    assert [(e["action"], e["id"], e["version"]) for e in entries] == [
        ("published", shared_site.kari.pk, 2)
    ]


def test_unpublish_is_an_entry_of_its_own(api_client, shared_site):
    end = feed(api_client, limit=1000)["next"]

    fresh(shared_site.ukspa).unpublish()

    entries = feed(api_client, cursor=end)["results"]
    assert [(e["action"], e["id"]) for e in entries][:1] == [("unpublished", shared_site.ukspa.pk)]


def test_entries_hidden_from_the_caller_do_not_hold_back_the_end_of_the_feed(
    api_client, member_client, shared_site
):
    end = feed(api_client, limit=1000)["next"]
    agenda = publish(StandardPageFactory(parent=fresh(shared_site.private), title="Agenda"))

    anonymous = feed(api_client, cursor=end)
    member = feed(member_client, cursor=end)

    assert anonymous["results"] == []
    assert anonymous["has_more"] is False
    assert ("published", agenda.pk) in [(e["action"], e["id"]) for e in member["results"]]
    assert member["has_more"] is False

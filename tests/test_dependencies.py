"""Embedded content: when what an item embeds changes, the item is re-rendered and reported.

Covers pages named in other items, images, rich-text links, moves, slug changes and view
restrictions (the `moved` and `visibility_changed` feed entries).
"""

import json

import pytest
from django.urls import reverse
from wagtail.models import Page, PageViewRestriction

from pipeline.models import DocumentDependency, LiveDocument

from .factories import StandardPageFactory
from .helpers import changes, edit, feed, image_file, make_image, publish, versions

pytestmark = pytest.mark.django_db


def document(page) -> dict:
    return json.loads(LiveDocument.objects.get(page_id=page.pk).version.body)


def feed_since(client, cursor):
    return feed(client, cursor=cursor, limit=1000)["results"]


def cursor_now(client):
    return feed(client, limit=1000)["next"]


def entries_for(entries, page) -> list[str]:
    return [e["action"] for e in entries if e["id"] == page.pk]


# Pages named in other items ---------------------------------------------------------------


def test_republishing_a_member_re_renders_the_release_that_names_it(api_client, site):
    release_url = f"/api/v1/roadmap-releases/{site.ger3.pk}/"
    before = api_client.get(release_url)
    cursor = cursor_now(api_client)

    edit(site.nasa, title="NASA (renamed)", acronym="NASA2")

    after = api_client.get(release_url)
    agencies = {a["id"]: a for a in after.json()["contributing_agencies"]}
    assert agencies[site.nasa.pk]["title"] == "NASA (renamed)"
    assert agencies[site.nasa.pk]["acronym"] == "NASA2"
    assert after["ETag"] != before["ETag"]
    entries = feed_since(api_client, cursor)
    assert entries_for(entries, site.nasa) == ["published"]
    assert entries_for(entries, site.ger3) == ["published"]
    release_entry = next(e for e in entries if e["id"] == site.ger3.pk)
    assert release_entry["version"] == 2
    assert versions(site.ger3.pk)[-1].cause == "dependency"
    # Version 1 of the release keeps the old name, byte for byte.
    old = api_client.get(f"{release_url}versions/1/").json()["contributing_agencies"]
    assert {a["title"] for a in old} >= {"National Aeronautics and Space Administration"}


def test_a_republish_that_changes_nothing_embedded_does_not_re_render(api_client, site):
    cursor = cursor_now(api_client)
    edit(site.nasa, summary="Only the profile's own summary changed.")
    assert entries_for(feed_since(api_client, cursor), site.ger3) == []
    assert len(versions(site.ger3.pk)) == 1


def test_unpublishing_a_member_removes_it_from_the_release(api_client, site):
    type(site.esa).objects.get(pk=site.esa.pk).unpublish()
    ids = {a["id"] for a in document(site.ger3)["contributing_agencies"]}
    assert ids == {site.nasa.pk, site.jaxa.pk}
    publish(type(site.esa).objects.get(pk=site.esa.pk))
    ids = {a["id"] for a in document(site.ger3)["contributing_agencies"]}
    assert ids == {site.nasa.pk, site.esa.pk, site.jaxa.pk}


def test_the_document_records_what_it_embeds(site):
    embedded = set(
        DocumentDependency.objects.filter(document_id=site.ger3.pk).values_list("kind", "target_id")
    )
    assert {("page", site.nasa.pk), ("page", site.esa.pk)} <= embedded


# Rich-text links --------------------------------------------------------------------------


def test_a_linked_page_unpublished_loses_its_href_and_gets_it_back(api_client, site):
    about = site.about
    esa = edit(site.esa, body=f'<p>See <a linktype="page" id="{about.pk}">about us</a>.</p>')
    assert '<a href="/about/" data-page-id' in document(esa)["body"]
    cursor = cursor_now(api_client)

    type(about).objects.get(pk=about.pk).unpublish()
    body = api_client.get(f"/api/v1/members/{esa.pk}/").json()["body"]
    assert body == "<p>See <a>about us</a>.</p>"
    assert entries_for(feed_since(api_client, cursor), esa) == ["published"]

    publish(type(about).objects.get(pk=about.pk))
    assert '<a href="/about/"' in api_client.get(f"/api/v1/members/{esa.pk}/").json()["body"]


def test_a_linked_page_renamed_by_slug_changes_the_href(api_client, site):
    about = site.about
    esa = edit(site.esa, body=f'<p>See <a linktype="page" id="{about.pk}">about us</a>.</p>')
    edit(about, slug="who-we-are")
    assert '<a href="/who-we-are/"' in document(esa)["body"]


# Images -----------------------------------------------------------------------------------


@pytest.fixture
def logo(media_root):
    return make_image("NASA logo", size=(800, 600), color="navy", filename="nasa.png")


def renditions_of(client, member) -> dict:
    return client.get(f"/api/v1/members/{member.pk}/").json()["logo"]


def test_replacing_a_logo_file_shows_new_renditions(
    api_client, client, site, logo, superuser, django_capture_on_commit_callbacks
):
    nasa = edit(site.nasa, logo=logo)
    before = renditions_of(api_client, nasa)
    assert before["width"] == 800
    cursor = cursor_now(api_client)

    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("wagtailimages:edit", args=[logo.pk]),
            {
                "title": "NASA logo",
                "file": image_file((400, 400), "red", "nasa-2024.png"),
                "collection": logo.collection_id,
                "tags": "",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]

    after = renditions_of(api_client, nasa)
    assert (after["width"], after["height"]) == (400, 400)
    assert after["url"] != before["url"]
    for name, rendition in after["renditions"].items():
        assert rendition["url"] != before["renditions"][name]["url"], name
        assert "nasa-2024" in rendition["url"], name
    assert after["renditions"]["small"]["width"] == 400
    assert entries_for(feed_since(api_client, cursor), nasa) == ["published"]
    # Exactly one new version: none was stored with the old file's renditions.
    assert [v.cause for v in versions(nasa.pk)] == ["publish", "publish", "dependency"]


def test_editing_a_logo_title_and_alt_text_shows_in_the_member(
    api_client, site, logo, django_capture_on_commit_callbacks
):
    nasa = edit(site.nasa, logo=logo)
    with django_capture_on_commit_callbacks(execute=True):
        logo.title = "NASA meatball"
        logo.description = "The NASA insignia"
        logo.save()
    shown = renditions_of(api_client, nasa)
    assert shown["title"] == "NASA meatball"
    assert shown["alt"] == "The NASA insignia"


def test_moving_a_logo_focal_point_changes_the_cropped_rendition(
    api_client, site, logo, django_capture_on_commit_callbacks
):
    nasa = edit(site.nasa, logo=logo)
    before = renditions_of(api_client, nasa)["renditions"]
    with django_capture_on_commit_callbacks(execute=True):
        logo.focal_point_x, logo.focal_point_y = 700, 500
        logo.focal_point_width, logo.focal_point_height = 50, 50
        logo.save()
    after = renditions_of(api_client, nasa)["renditions"]
    assert after["thumbnail"]["url"] != before["thumbnail"]["url"]


def test_deleting_a_logo_removes_it_from_the_member(
    api_client, site, logo, django_capture_on_commit_callbacks
):
    nasa = edit(site.nasa, logo=logo)
    with django_capture_on_commit_callbacks(execute=True):
        logo.delete()
    assert renditions_of(api_client, nasa) is None


# Moves and slugs --------------------------------------------------------------------------


@pytest.fixture
def subtree(site):
    """/about/history/founding/ plus an /organisation/ page to move it under."""
    history = publish(StandardPageFactory(parent=site.about, title="History", slug="history"))
    founding = publish(StandardPageFactory(parent=history, title="Founding", slug="founding"))
    organisation = publish(
        StandardPageFactory(parent=site.home, title="Organisation", slug="organisation")
    )
    return site.about, history, founding, organisation


def test_moving_a_subtree_reports_moved_with_new_paths(api_client, subtree):
    about, history, founding, organisation = subtree
    cursor = cursor_now(api_client)

    Page.objects.get(pk=about.pk).move(organisation, pos="last-child")

    entries = feed_since(api_client, cursor)
    moved = [(e["id"], e["action"]) for e in entries if e["action"] == "moved"]
    assert moved == [(about.pk, "moved"), (history.pk, "moved"), (founding.pk, "moved")]
    expected = {
        about.pk: "/organisation/about/",
        history.pk: "/organisation/about/history/",
        founding.pk: "/organisation/about/history/founding/",
    }
    for page_id, url_path in expected.items():
        served = api_client.get(f"/api/v1/pages/{page_id}/").json()
        assert served["url_path"] == url_path
        resolved = api_client.get("/api/v1/pages/resolve/", {"path": url_path})
        assert resolved.json()["id"] == page_id
    assert api_client.get(f"/api/v1/pages/{about.pk}/").json()["parent_id"] == organisation.pk
    # The old path now answers the redirect Wagtail created on the move (its redirects module).
    old = api_client.get("/api/v1/pages/resolve/", {"path": "/about/"}).json()
    assert old == {
        "type": "redirect",
        "status": 301,
        "permanent": True,
        "location": "/organisation/about/",
    }
    assert versions(founding.pk)[-1].cause == "move"


def test_a_slug_change_on_publish_moves_the_descendants(api_client, subtree):
    about, history, founding, _ = subtree
    cursor = cursor_now(api_client)

    edit(about, slug="about-isecg")

    entries = feed_since(api_client, cursor)
    assert entries_for(entries, about) == ["published"]
    assert entries_for(entries, history) == ["moved"]
    assert entries_for(entries, founding) == ["moved"]
    served = api_client.get(f"/api/v1/pages/{founding.pk}/").json()
    assert served["url_path"] == "/about-isecg/history/founding/"


def test_a_title_change_does_not_move_the_descendants(api_client, subtree):
    about, history, _, _ = subtree
    cursor = cursor_now(api_client)
    edit(about, title="About ISECG")
    assert entries_for(feed_since(api_client, cursor), history) == []


# View restrictions ------------------------------------------------------------------------


def test_restricting_a_page_reports_visibility_changed_to_mirrors(api_client, subtree):
    about, history, founding, _ = subtree
    cursor = cursor_now(api_client)

    restriction = PageViewRestriction.objects.create(
        page=Page.objects.get(pk=about.pk), restriction_type=PageViewRestriction.LOGIN
    )

    entries = feed_since(api_client, cursor)  # anonymous: what a public mirror reads
    for page in (about, history, founding):
        assert entries_for(entries, page) == ["visibility_changed"], page.title
        assert api_client.get(f"/api/v1/pages/{page.pk}/").status_code == 404
    assert not LiveDocument.objects.get(page_id=founding.pk).is_public

    cursor = feed(api_client, cursor=cursor, limit=1000)["next"]
    restriction.delete()

    entries = feed_since(api_client, cursor)
    for page in (about, history, founding):
        assert entries_for(entries, page) == ["visibility_changed"], page.title
        assert api_client.get(f"/api/v1/pages/{page.pk}/").status_code == 200


def test_a_restricted_page_publish_is_hidden_from_anonymous_feed_readers(api_client, subtree):
    about, history, _, _ = subtree
    PageViewRestriction.objects.create(
        page=Page.objects.get(pk=about.pk), restriction_type=PageViewRestriction.LOGIN
    )
    cursor = cursor_now(api_client)
    edit(history, intro="Members only.")
    assert entries_for(feed_since(api_client, cursor), history) == []
    assert changes()[-1].page_id == history.pk and not changes()[-1].is_public


def test_a_group_restriction_keeps_the_members_audience(site):
    from django.contrib.auth.models import Group

    members = Group.objects.get(name="Members")
    restriction = PageViewRestriction.objects.create(
        page=Page.objects.get(pk=site.about.pk), restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.set([members])
    document = LiveDocument.objects.get(page_id=site.about.pk)
    assert document.audience == [{"kind": "groups", "groups": [members.pk]}]
    assert changes()[-1].action == "visibility_changed"


# Concurrency (PostgreSQL, and SQLite's file test database, where the writers take turns) -----


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_publishes_of_items_embedded_in_one_another_all_succeed(site):
    """Two editors publish NASA and ESA at once; each links to the other and the release
    names both, so each publish re-renders the other member and the release. None may fail
    (no duplicate version number, no deadlock), and the last documents show both edits."""
    import threading

    from django.db import connections, transaction

    nasa, esa, release = site.nasa, site.esa, site.ger3
    edit(nasa, body=f'<p><a linktype="page" id="{esa.pk}">ESA</a></p>')
    edit(esa, body=f'<p><a linktype="page" id="{nasa.pk}">NASA</a></p>')
    rounds = 10
    errors: list[str] = []
    go = threading.Barrier(2)

    def writer(page_id: int, name: str):
        model = type(nasa)
        try:
            go.wait()
            for k in range(rounds):
                with transaction.atomic():
                    page = model.objects.get(pk=page_id)
                    page.title = f"{name} {k}"
                    page.slug = f"{name.lower()}-{k}"  # moves the href in the other member
                    page.save_revision().publish()
        except Exception as exc:
            errors.append(f"{name}: {exc!r}")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=writer, args=(nasa.pk, "NASA")),
        threading.Thread(target=writer, args=(esa.pk, "ESA")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert errors == []
    titles = {a["title"] for a in document(release)["contributing_agencies"]}
    assert titles == {f"NASA {rounds - 1}", f"ESA {rounds - 1}", site.jaxa.title}
    assert f'href="/members/nasa-{rounds - 1}/"' in document(esa)["body"]
    assert f'href="/members/esa-{rounds - 1}/"' in document(nasa)["body"]
    numbers = [v.number for v in versions(release.pk)]
    assert numbers == list(range(1, len(numbers) + 1))


def test_deleting_a_restricted_page_tells_anonymous_readers_nothing(api_client, subtree):
    about, history, founding, _ = subtree
    PageViewRestriction.objects.create(
        page=Page.objects.get(pk=history.pk), restriction_type=PageViewRestriction.LOGIN
    )
    cursor = cursor_now(api_client)
    Page.objects.get(pk=history.pk).delete()
    entries = feed_since(api_client, cursor)
    assert entries_for(entries, history) == []
    assert entries_for(entries, founding) == []
    hidden = [(c.action, c.page_id) for c in changes() if c.page_id in (history.pk, founding.pk)]
    assert ("deleted", history.pk) in hidden and ("deleted", founding.pk) in hidden
    assert ("visibility_changed", history.pk) not in hidden[-2:]

"""`manage.py rebuild_documents`: new versions only where a serializer change shows."""

import io

import pytest
from django.core.management import CommandError, call_command

from documents.serializers.members import MemberSerializer
from pipeline.models import Change, LiveDocument, PublishedVersion

from .factories import StandardPageFactory
from .helpers import changes, versions

pytestmark = pytest.mark.django_db


def rebuild(*args) -> str:
    out = io.StringIO()
    call_command("rebuild_documents", *args, stdout=out)
    return out.getvalue()


LIVE_PAGES = 19  # build_site's live pages: 6 members and 3 standard pages among them


def predating_the_pipeline(page):
    """Forget what the pipeline stored for the page, as for a page published before it ran."""
    LiveDocument.objects.filter(page_id=page.pk).delete()
    PublishedVersion.objects.filter(page_id=page.pk).delete()
    Change.objects.filter(page_id=page.pk).delete()
    return page


@pytest.fixture
def rebuilt_tree(site):
    """The site with every live page's document stored."""
    rebuild()
    return site


@pytest.fixture
def members_gain_a_field(monkeypatch):
    """A serializer change: member documents get a new field, nothing else changes."""
    original = MemberSerializer.to_representation
    monkeypatch.setattr(
        MemberSerializer,
        "to_representation",
        lambda self, page: {**original(self, page), "kind": "agency"},
    )


def test_live_pages_without_a_document_get_one(api_client, site):
    home = predating_the_pipeline(site.home)
    assert not LiveDocument.objects.filter(page_id=home.pk).exists()
    output = rebuild()
    assert "created" in output and "1 created" in output
    (version,) = versions(home.pk)
    assert version.cause == "rebuild" and version.number == 1
    assert version.revision_id == home.live_revision_id
    entry = Change.objects.get(page_id=home.pk)
    assert (entry.action, entry.version) == ("published", 1)
    assert api_client.get(f"/api/v1/pages/{home.pk}/").json()["type"] == "home"


def test_unchanged_output_stores_no_version(rebuilt_tree):
    before_versions = PublishedVersion.objects.count()
    before_changes = len(changes())
    output = rebuild()
    assert PublishedVersion.objects.count() == before_versions
    assert len(changes()) == before_changes
    assert f"0 changed, 0 created, {LIVE_PAGES} unchanged" in output


def test_a_serializer_change_versions_only_the_affected_type(
    api_client, rebuilt_tree, members_gain_a_field
):
    tree = rebuilt_tree
    seq = changes()[-1].seq
    output = rebuild()
    members = [tree.nasa, tree.esa, tree.jaxa, tree.csa, tree.ukspa, tree.kari]
    assert f"6 changed, 0 created, {LIVE_PAGES - 6} unchanged" in output
    assert f"member {tree.nasa.pk} /home/members/nasa/: new version" in output
    for member in members:
        latest = versions(member.pk)[-1]
        assert (latest.number, latest.cause) == (2, "rebuild")
        assert api_client.get(f"/api/v1/members/{member.pk}/").json()["kind"] == "agency"
        assert "kind" not in api_client.get(f"/api/v1/members/{member.pk}/versions/1/").json()
    for other in (tree.ger3, tree.about, tree.home, tree.members_index):
        assert len(versions(other.pk)) == 1
    new = Change.objects.filter(seq__gt=seq)
    assert sorted(new.values_list("page_id", flat=True)) == sorted(m.pk for m in members)
    assert set(new.values_list("action", flat=True)) == {"published"}
    assert "0 changed" in rebuild()  # a second run finds nothing more to do


def test_type_limits_the_rebuild(rebuilt_tree, members_gain_a_field):
    assert "0 changed, 0 created, 3 unchanged" in rebuild("--type", "page")
    assert len(versions(rebuilt_tree.nasa.pk)) == 1
    assert "6 changed, 0 created, 0 unchanged" in rebuild("--type", "member")


def test_dry_run_stores_nothing(site, members_gain_a_field):
    predating_the_pipeline(site.home)
    before_versions = PublishedVersion.objects.count()
    before_changes = len(changes())
    output = rebuild("--dry-run")
    assert f"Dry run: {LIVE_PAGES} live pages: 6 changed, 1 created, 12 unchanged." in output
    assert "would store a new version" in output and "would create" in output
    assert PublishedVersion.objects.count() == before_versions
    assert len(changes()) == before_changes


def test_drafts_and_unpublished_pages_are_not_rebuilt(site):
    StandardPageFactory(parent=site.home, live=False, slug="draft")
    type(site.about).objects.get(pk=site.about.pk).unpublish()
    output = rebuild()
    assert f"{LIVE_PAGES - 1} live pages" in output
    assert len(versions(site.about.pk)) == 1


def test_verbosity_2_lists_unchanged_pages_and_0_is_silent(rebuilt_tree):
    out = io.StringIO()
    call_command("rebuild_documents", verbosity=2, stdout=out)
    assert out.getvalue().count(": unchanged") == LIVE_PAGES
    out = io.StringIO()
    call_command("rebuild_documents", verbosity=0, stdout=out)
    assert out.getvalue() == ""


def test_unknown_type_is_a_one_line_error(db):
    with pytest.raises(CommandError, match="invalid choice: 'agency'"):
        call_command("rebuild_documents", "--type", "agency")


@pytest.mark.slow
def test_rebuilding_the_loaded_isecg_content_changes_nothing(isecg_content):
    """Rendering is deterministic on real content: a rebuild right after loading finds every
    document (one per live page) as it is."""
    before_versions = PublishedVersion.objects.count()
    output = rebuild()
    live = LiveDocument.objects.count()
    assert live > 20
    assert f"{live} live pages: 0 changed, 0 created, {live} unchanged." in output
    assert PublishedVersion.objects.count() == before_versions

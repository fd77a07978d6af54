"""Publishing purges the changed API responses from a frontend cache, embedders included.

A real `HTTPBackend` (Varnish-style PURGE) of `wagtail.contrib.frontend_cache` sends to a
receiver on loopback; the purge runs as a task in the real database worker.
"""

import http.server
import threading

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from pipeline.caches import change_api_paths
from pipeline.models import Change

from .helpers import edit

API_BASE = "https://api.example.org"


class PurgeReceiver(http.server.ThreadingHTTPServer):
    """Records the PURGE and BAN requests it gets: (Host header, path with query)."""

    def __init__(self):
        self.purged: list[tuple[str, str]] = []
        self.banned: list[tuple[str, str]] = []
        super().__init__(("127.0.0.1", 0), PurgeHandler)

    @property
    def paths(self) -> set[str]:
        return {path for _, path in self.purged}


class PurgeHandler(http.server.BaseHTTPRequestHandler):
    def do_PURGE(self):
        self.server.purged.append((self.headers["Host"], self.path))
        self.answer()

    def do_BAN(self):
        self.server.banned.append((self.headers["Host"], self.path))
        self.answer()

    def answer(self):
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = PurgeReceiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def purge_backend(settings, receiver):
    settings.API_BASE_URL = API_BASE
    settings.WAGTAILFRONTENDCACHE = {
        "varnish": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": f"http://127.0.0.1:{receiver.server_port}",
        }
    }
    return receiver


def run_worker():
    call_command(
        "db_worker",
        batch=True,
        queue_name="*",
        interval=0,
        startup_delay=False,
        reload=False,
        verbosity=0,
    )


def item_paths(collection, page_id):
    return {
        f"/api/v1/{collection}/{page_id}/",
        f"/api/v1/{collection}/{page_id}/versions/",
        f"/api/v1/{collection}/",
    }


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_publishing_a_member_purges_its_urls_and_the_embedding_release(site, purge_backend):
    nasa, release = site.nasa, site.ger3
    run_worker()
    purge_backend.purged.clear()

    edit(nasa, title="NASA, renamed")
    assert purge_backend.purged == []  # nothing is sent from the editor's request...
    run_worker()  # ...the worker sends it

    paths = purge_backend.paths
    assert item_paths("members", nasa.pk) <= paths
    assert item_paths("pages", nasa.pk) <= paths
    assert "/api/v1/pages/resolve/?path=/members/nasa/" in paths
    assert "/api/v1/pages/resolve/?path=%2Fmembers%2Fnasa%2F" in paths
    assert item_paths("roadmap-releases", release.pk) <= paths
    assert item_paths("pages", release.pk) <= paths
    assert "/api/v1/pages/resolve/?path=/roadmap/ger-3/" in paths
    assert "/api/v1/changes/" in paths
    assert {host for host, path in purge_backend.purged if path.startswith("/api/")} == {
        "api.example.org"
    }
    # Unrelated items stay cached.
    assert f"/api/v1/members/{site.esa.pk}/" not in paths


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_varnish_backend_bans_paths_with_every_query_and_purges_urls_with_one(
    site, purge_backend, settings
):
    settings.WAGTAILFRONTENDCACHE["varnish"]["BACKEND"] = "pipeline.frontend_cache.VarnishBackend"
    nasa = site.nasa
    run_worker()
    purge_backend.purged.clear()
    purge_backend.banned.clear()

    edit(nasa, title="NASA, renamed")
    run_worker()

    api_bans = [(host, path) for host, path in purge_backend.banned if path.startswith("/api/")]
    banned = {path for _, path in api_bans}
    assert item_paths("members", nasa.pk) <= banned  # the list: ?country=US and every other
    for embedder in (site.ger3, site.supplement):  # both name NASA
        assert item_paths("roadmap-releases", embedder.pk) <= banned
    assert not any("?" in path for path in banned)
    assert {host for host, _ in api_bans} == {"api.example.org"}
    assert {path for path in purge_backend.paths if path.startswith("/api/")} == {
        f"/api/v1/pages/resolve/?path={path}"
        for url_path in ("/members/nasa/", "/roadmap/ger-3/", "/roadmap/ger-supplement-2020/")
        for path in (url_path, url_path.replace("/", "%2F"))
    }


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_publish_that_rolls_back_purges_nothing(site, purge_backend):
    from django.db import transaction

    run_worker()
    purge_backend.purged.clear()
    page = type(site.nasa).objects.get(pk=site.nasa.pk)
    revision = page.save_revision()
    with pytest.raises(RuntimeError), transaction.atomic():
        revision.publish()
        raise RuntimeError("rolled back")
    run_worker()
    assert not any("/api/v1/" in path for path in purge_backend.paths)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_unpublishing_purges_every_version_url(site, purge_backend):
    nasa = edit(site.nasa, summary="Second.")
    run_worker()
    purge_backend.purged.clear()
    nasa.unpublish()
    run_worker()
    paths = purge_backend.paths
    for n in (1, 2):
        assert f"/api/v1/members/{nasa.pk}/versions/{n}/" in paths
        assert f"/api/v1/pages/{nasa.pk}/versions/{n}/" in paths


@pytest.mark.django_db
def test_a_move_purges_the_old_and_the_new_resolve_path(site):
    about = edit(site.about, slug="about-isecg")
    change = Change.objects.filter(page_id=about.pk).latest("seq")
    paths = change_api_paths(change)
    assert "/api/v1/pages/resolve/?path=/about/" in paths
    assert "/api/v1/pages/resolve/?path=/about-isecg/" in paths


def api_purges_queued() -> int:
    from django_tasks_db.models import DBTaskResult

    return sum(
        "/api/v1/" in str(row)
        for row in DBTaskResult.objects.filter(task_path__contains="purge").values_list(
            "args_kwargs", flat=True
        )
    )


@pytest.mark.django_db
def test_without_a_configured_backend_no_api_purge_is_queued(
    site, settings, django_capture_on_commit_callbacks
):
    settings.WAGTAILFRONTENDCACHE = {}
    with django_capture_on_commit_callbacks(execute=True):
        edit(site.nasa, summary="No CDN here.")
    assert api_purges_queued() == 0
    settings.WAGTAILFRONTENDCACHE = {"varnish": {"BACKEND": "x", "LOCATION": "http://x"}}
    with django_capture_on_commit_callbacks(execute=True):
        edit(site.nasa, summary="A CDN now.")
    assert api_purges_queued() == 1  # one task for the whole transaction


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, {}),
        (
            {"FRONTEND_CACHE_BACKEND": "http", "FRONTEND_CACHE_LOCATION": "http://varnish:6081"},
            {"BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend"},
        ),
        (
            {"FRONTEND_CACHE_BACKEND": "varnish", "FRONTEND_CACHE_LOCATION": "http://varnish:6081"},
            {"BACKEND": "pipeline.frontend_cache.VarnishBackend"},
        ),
        (
            {
                "FRONTEND_CACHE_BACKEND": "cloudflare",
                "CLOUDFLARE_BEARER_TOKEN": "t",
                "CLOUDFLARE_ZONE_ID": "z",
                "FRONTEND_CACHE_HOSTNAMES": "api.example.org",
            },
            {"ZONEID": "z", "HOSTNAMES": ["api.example.org"]},
        ),
    ],
)
def test_frontend_cache_is_configured_from_the_environment(monkeypatch, env, expected):
    from cms.settings.base import frontend_cache_from_env

    for name in ("FRONTEND_CACHE_BACKEND", "FRONTEND_CACHE_LOCATION", "FRONTEND_CACHE_HOSTNAMES"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = frontend_cache_from_env()
    if not expected:
        assert config == {}
    else:
        assert expected.items() <= config["default"].items()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"FRONTEND_CACHE_BACKEND": "fastly"}, "must be varnish, http, cloudflare or cloudfront"),
        ({"FRONTEND_CACHE_BACKEND": "http"}, "FRONTEND_CACHE_LOCATION"),
    ],
)
def test_a_misconfigured_frontend_cache_refuses_to_start(monkeypatch, env, message):
    from cms.settings.base import frontend_cache_from_env

    monkeypatch.delenv("FRONTEND_CACHE_LOCATION", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        frontend_cache_from_env()

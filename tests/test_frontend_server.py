"""The reference frontend's server (frontend/serve.py): /sitemap.xml from the API's sitemap,
editors' redirects answered with their status and Location (its handler against a live CMS), and
an API that hangs never hangs the frontend (`resolve` has a short timeout). The 404 for unknown
paths, against a live API, is in tests/e2e/test_reference_frontend.py."""

import http.client
import importlib.util
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.conf import settings
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Site

from .factories import MemberProfilePageFactory, MembersIndexPageFactory, StandardPageFactory
from .helpers import publish, restrict_to_groups

FRONTEND = Path(settings.BASE_DIR) / "frontend" / "serve.py"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

# The live server's thread reads what the test commits; the migrated site root is restored after.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def load_serve():
    spec = importlib.util.spec_from_file_location("frontend_serve_redirects", FRONTEND)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def frontend(live_server):
    serve = load_serve()
    handler = type(
        "Handler",
        (serve.FrontendHandler,),
        {"api_url": live_server.url, "site_url": "https://www.example.org", "log_message": print},
    )
    server = serve.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def get(port: int, path: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


@pytest.fixture
def pages():
    home = publish(Site.objects.get(is_default_site=True).root_page.specific)
    members = publish(MembersIndexPageFactory(parent=home))
    nasa = publish(MemberProfilePageFactory(parent=members, slug="nasa", title="NASA"))
    private = publish(StandardPageFactory(parent=home, slug="private-area", title="Private"))
    restrict_to_groups(private, "Members")
    return {"home": home, "members": members, "nasa": nasa}


def test_sitemap_xml_lists_public_pages_with_absolute_urls(frontend, pages):
    response = get(frontend, "/sitemap.xml")
    assert response.status == 200
    assert response.getheader("Content-Type").startswith("application/xml")
    root = ET.fromstring(response.body)  # noqa: S314 (our own server's answer)
    assert root.tag == f"{SITEMAP_NS}urlset"
    entries = {
        url.find(f"{SITEMAP_NS}loc").text: url.find(f"{SITEMAP_NS}lastmod").text
        for url in root.findall(f"{SITEMAP_NS}url")
    }
    assert set(entries) == {
        "https://www.example.org/",
        "https://www.example.org/members/",
        "https://www.example.org/members/nasa/",
    }
    live = pages["nasa"].live_document.version.published_at
    assert entries["https://www.example.org/members/nasa/"] == live.isoformat().replace(
        "+00:00", "Z"
    )


def test_a_redirected_path_is_answered_with_its_status_and_location(frontend, pages):
    Redirect.add_redirect("/agencies/nasa", pages["nasa"], is_permanent=True)
    Redirect.add_redirect("/gateway", "https://www.nasa.gov/gateway/", is_permanent=False)

    moved = get(frontend, "/agencies/nasa/")
    assert (moved.status, moved.getheader("Location")) == (301, "/members/nasa/")
    elsewhere = get(frontend, "/gateway")
    assert (elsewhere.status, elsewhere.getheader("Location")) == (
        302,
        "https://www.nasa.gov/gateway/",
    )
    page = get(frontend, "/members/nasa/")  # a page is served as before
    assert page.status == 200 and b"<html" in page.body.lower()
    preview = get(frontend, "/agencies/nasa/?token=abc")  # previews are never redirected
    assert preview.status == 200


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_hanging_api_gets_the_page_after_the_resolve_timeout(tmp_path):
    log = tmp_path / "frontend.log"
    with socket.socket() as hanging_api, log.open("w") as log_file:  # accepts, never answers
        hanging_api.bind(("127.0.0.1", 0))
        hanging_api.listen(16)
        api_url = f"http://127.0.0.1:{hanging_api.getsockname()[1]}"
        port = free_port()
        process = subprocess.Popen(
            [
                sys.executable,
                str(FRONTEND),
                "--port",
                str(port),
                "--api",
                api_url,
                "--resolve-timeout",
                "0.3",
            ],
            stdout=subprocess.DEVNULL,
            stderr=log_file,
        )
        try:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                with socket.socket() as probe:
                    if probe.connect_ex(("127.0.0.1", port)) == 0:
                        break
                time.sleep(0.05)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/members/", timeout=10) as page:
                status, body = page.status, page.read().decode()
        finally:
            process.terminate()
            process.wait(timeout=10)

    assert status == 200
    assert '<p class="loading">Loading…</p>' in body  # the page then says what went wrong
    assert "resolve /members/: timed out" in log.read_text()

#!/usr/bin/env python3
"""Serve the reference frontend: static files, and index.html for every route.

The frontend is plain HTML, CSS and JavaScript modules with no build step; everything it shows
comes from the CMS's public API over HTTP (`--api`), fetched by the browser. This server hands
out the files and tells the page where the API is; it asks the API itself for two things only:
`/sitemap.xml` (from the API's sitemap) and the redirects editors set up (a path with no page
that `resolve` redirects is answered 301/302 with `Location`, so browsers and crawlers follow).

    python frontend/serve.py --port 8001 --api http://127.0.0.1:8000

Only the standard library is used, so any team can copy the folder as it is.
"""

from __future__ import annotations

import argparse
import html
import json
import mimetypes
import os
import re
import sys
import urllib.error
import urllib.request
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode, urlsplit
from xml.sax.saxutils import escape as xml_escape

STATIC_DIR = Path(__file__).resolve().parent / "static"
API_PREFIX = "/api/v1/"  # the CMS's API_URL_PREFIX, as in assets/api.js
API_TIMEOUT = 3  # seconds: a slow API must not hold the page long
REDIRECT_STATUSES = {301, 302}


def _any_encoding(char: str) -> str:
    """One character of a parameter name, as is or percent-encoded (also repeatedly), any case."""
    codes = {f"{ord(char.lower()):02X}", f"{ord(char.upper()):02X}"}
    return f"(?:{re.escape(char)}|%(?:25)*(?:{'|'.join(sorted(codes))}))"


# A parameter whose name, percent-decoded, ends in "token" (any case): the page reads
# `token` after decoding, so `?tok%65n=` is one too. Same rule as the CMS's preview.logging.
TOKEN_RE = re.compile(
    "(?i)(" + "".join(_any_encoding(c) for c in "token") + r"(?:=|%(?:25)*3D))[^&\s\"'#]+"
)


def redact(text: str) -> str:
    """Hide preview tokens: they grant a draft to whoever reads them."""
    return TOKEN_RE.sub(r"\1[redacted]", text)


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def api_get(api_url: str, endpoint: str, params: dict | None = None) -> tuple[int, dict | None]:
    """GET a JSON answer of the public API: (status, body); (0, None) when it cannot be reached."""
    url = f"{api_url}{API_PREFIX}{endpoint}" + (f"?{urlencode(params)}" if params else "")
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=API_TIMEOUT) as response:  # noqa: S310
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, None
    except (OSError, ValueError):
        return 0, None


def sitemap_xml(entries: list[dict], site_url: str) -> str:
    """Return a sitemaps.org urlset of the API sitemap's entries, with absolute URLs."""
    urls = "".join(
        f"<url><loc>{xml_escape(site_url + quote(entry['url_path'], safe='/'))}</loc>"
        f"<lastmod>{xml_escape(entry['last_modified'])}</lastmod></url>"
        for entry in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n'
    )


class FrontendHandler(SimpleHTTPRequestHandler):
    api_url = "http://127.0.0.1:8000"
    site_url: str | None = None  # the frontend's public origin; default: from the Host header
    server_version = "ReferenceFrontend/1.0"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=str(STATIC_DIR), **kwargs)

    def do_GET(self):
        parts = urlsplit(self.path)
        path = parts.path
        if path.startswith("/assets/") and (STATIC_DIR / path.lstrip("/")).is_file():
            return super().do_GET()
        if path == "/sitemap.xml":
            return self.send_sitemap()
        if self.redirect_if_moved(path, parts.query):
            return None
        return self.send_index()

    def public_origin(self) -> str:
        if self.site_url:
            return self.site_url.rstrip("/")
        host, port = self.server.server_address[:2]
        return f"http://{self.headers.get('Host') or f'{host}:{port}'}"

    def send_sitemap(self):
        status, body = api_get(self.api_url, "sitemap/")
        if status != 200 or body is None:
            return self.send_text(HTTPStatus.BAD_GATEWAY, "The CMS's sitemap cannot be read.")
        data = sitemap_xml(body["results"], self.public_origin()).encode()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "application/xml; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "public, max-age=300")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        return None

    def redirect_if_moved(self, path: str, query: str) -> bool:
        """Answer a redirect editors set up (resolve's `redirect`) with its status and Location.

        Not for previews (their page may not be live yet) nor the search page; when the API
        cannot be asked, the page loads and its router asks again.
        """
        params = parse_qs(query)
        if path == "/search/" or any(name.lower().endswith("token") for name in params):
            return False
        status, body = api_get(self.api_url, "pages/resolve/", {"path": path, "fields": "type"})
        if status != 200 or not body or body.get("type") != "redirect":
            return False
        if body.get("status") not in REDIRECT_STATUSES or not body.get("location"):
            return False
        self.send_response(body["status"])
        self.send_header("Location", body["location"])
        self.send_header("Content-Length", "0")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        return True

    def send_text(self, status: HTTPStatus, text: str):
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_HEAD(self):
        return self.do_GET()

    def send_index(self):
        page = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
        body = page.replace("{{API_URL}}", html.escape(self.api_url, quote=True)).encode()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def end_headers(self):
        api = origin_of(self.api_url)
        # The page runs inside the admin's preview panel (the API's origin), so it may be framed
        # there; it talks to the API only, and never leaks a preview URL in a Referer header.
        self.send_header(
            "Content-Security-Policy",
            f"default-src 'self'; connect-src 'self' {api}; img-src 'self' data: {api} https:; "
            f"frame-ancestors 'self' {api}; base-uri 'none'; form-action 'self'",
        )
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def log_message(self, format, *args):
        sys.stderr.write(
            f"{self.address_string()} - [{self.log_date_time_string()}] {redact(format % args)}\n"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("FRONTEND_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("FRONTEND_PORT", "8001")))
    parser.add_argument(
        "--api",
        default=os.environ.get("API_URL", "http://127.0.0.1:8000"),
        help="Base URL of the CMS (its /api/v1/ is used); default $API_URL or 127.0.0.1:8000.",
    )
    parser.add_argument(
        "--site-url",
        default=os.environ.get("FRONTEND_URL"),
        help="This frontend's public origin, for /sitemap.xml; default $FRONTEND_URL or the Host.",
    )
    args = parser.parse_args(argv)
    if not args.api.startswith(("http://", "https://")):
        parser.error(f"--api must be an http(s) URL, got {args.api!r}")
    mimetypes.add_type("text/javascript", ".js")
    handler = type(
        "Handler",
        (FrontendHandler,),
        {"api_url": args.api.rstrip("/"), "site_url": args.site_url},
    )
    server = ThreadingHTTPServer((args.host, args.port), handler)
    print(
        f"Reference frontend on http://{args.host}:{server.server_address[1]}/ (API {args.api})",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()

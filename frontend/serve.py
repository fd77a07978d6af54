#!/usr/bin/env python3
"""Serve the reference frontend: static files, and index.html for every route.

The frontend is plain HTML, CSS and JavaScript modules with no build step; everything it shows
comes from the CMS's public API over HTTP (`--api`), fetched by the browser. This server hands
out the files and tells the page where the API is. It asks the API's `resolve` about each page
address (once, with a short timeout), so that crawlers and link checkers see the status a person
sees: 404 where there is no page, 301/302 with `Location` where editors set up a redirect; and
it serves `/sitemap.xml` from the API's sitemap.

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
# The API's versioned base, as static/assets/api.js uses it: part of the public contract.
API_PREFIX = "/api/v1/"
API_TIMEOUT = 3  # seconds: a slow API must not hold the page long
REDIRECT_STATUSES = {301, 302}
# Routes of this frontend that are not CMS pages.
FRONTEND_ROUTES = {"/search/"}
LOADING = '<p class="loading">Loading…</p>'
NOT_FOUND_RE = re.compile(r'<template id="not-found">(.*?)</template>', re.DOTALL)


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


class Unreachable(Exception):
    """The API did not answer: down, refused, timed out, or not JSON."""


def api_get(
    api_url: str, endpoint: str, params: dict | None = None, *, timeout: float = API_TIMEOUT
) -> tuple[int, dict | None]:
    """GET a JSON answer of the public API: (status, body, None for an error status); raise
    Unreachable when it cannot be asked. The API URL is checked to be http(s) at start-up."""
    url = f"{api_url}{API_PREFIX}{endpoint}" + (f"?{urlencode(params)}" if params else "")
    headers = {"Accept": "application/json", "User-Agent": FrontendHandler.server_version}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        error.close()
        return error.code, None
    except (OSError, ValueError) as error:
        raise Unreachable(str(error)) from error


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
    resolve_timeout = 2.0
    site_url: str | None = None  # the frontend's public origin; default: from the Host header
    server_version = "ReferenceFrontend/1.0"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=str(STATIC_DIR), **kwargs)

    def do_GET(self):
        path = urlsplit(self.path).path
        if path.startswith("/assets/"):
            if (STATIC_DIR / path.lstrip("/")).is_file():
                return super().do_GET()
            return self.send_error(HTTPStatus.NOT_FOUND)
        if path == "/sitemap.xml":
            return self.send_sitemap()
        status, redirect = self.page_status()
        if redirect is not None:
            return self.send_redirect(*redirect)
        return self.send_index(status)

    def public_origin(self) -> str:
        if self.site_url:
            return self.site_url.rstrip("/")
        host, port = self.server.server_address[:2]
        return f"http://{self.headers.get('Host') or f'{host}:{port}'}"

    def send_sitemap(self):
        try:
            status, body = api_get(self.api_url, "sitemap/")
        except Unreachable:
            status, body = 0, None
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

    def page_status(self) -> tuple[HTTPStatus, tuple[int, str] | None]:
        """Ask the API's `resolve` about this address: (404 or 200, redirect or None).

        Only a 404 from the API counts as no page: when it is slow, down or refuses, the page
        answers 200 and the browser says what went wrong. A redirect editors set up is answered
        with its status and Location. Previews (`?token=`) are drafts the public API does not
        resolve; a release preview asks with its token, and is never redirected (the Location
        would drop the token: the page's router follows the redirect instead).
        """
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if url.path in FRONTEND_ROUTES or "token" in query:
            return HTTPStatus.OK, None
        params = {"path": url.path, "fields": "type"}
        if query.get("release_token"):
            params["release_token"] = query["release_token"][0]
        try:
            status, body = api_get(
                self.api_url, "pages/resolve/", params, timeout=self.resolve_timeout
            )
        except Unreachable as error:
            self.log_message("resolve %s: %s", url.path, error)
            return HTTPStatus.OK, None
        if status == 404:
            return HTTPStatus.NOT_FOUND, None
        if (
            status == 200
            and body
            and body.get("type") == "redirect"
            and body.get("status") in REDIRECT_STATUSES
            and body.get("location")
            and "release_token" not in params
        ):
            return HTTPStatus.OK, (body["status"], body["location"])
        return HTTPStatus.OK, None

    def send_redirect(self, status: int, location: str):
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()

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

    def send_index(self, status: HTTPStatus = HTTPStatus.OK):
        page = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
        main = LOADING
        if status == HTTPStatus.NOT_FOUND:
            found = NOT_FOUND_RE.search(page)
            main = found.group(1) if found else "<h1>Page not found</h1>"
            page = page.replace("<title>ISECG</title>", "<title>Page not found · ISECG</title>")
            page = page.replace('aria-busy="true"', 'aria-busy="false"')
        page = page.replace("{{MAIN}}", main)
        body = page.replace("{{API_URL}}", html.escape(self.api_url, quote=True)).encode()
        self.send_response(status)
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
        "--resolve-timeout",
        type=float,
        default=float(os.environ.get("FRONTEND_RESOLVE_TIMEOUT", "2")),
        help="Seconds to wait for the API's resolve (404 or not) before answering 200 anyway.",
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
        {
            "api_url": args.api.rstrip("/"),
            "resolve_timeout": args.resolve_timeout,
            "site_url": args.site_url,
        },
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

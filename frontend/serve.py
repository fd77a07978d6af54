#!/usr/bin/env python3
"""Serve the reference frontend: static files, and index.html for every route.

The frontend is plain HTML, CSS and JavaScript modules with no build step; everything it shows
comes from the CMS's public API over HTTP (`--api`), fetched by the browser. This server only
hands out the files and tells the page where the API is.

    python frontend/serve.py --port 8001 --api http://127.0.0.1:8000

Only the standard library is used, so any team can copy the folder as it is.
"""

from __future__ import annotations

import argparse
import html
import mimetypes
import os
import re
import sys
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

STATIC_DIR = Path(__file__).resolve().parent / "static"


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


class FrontendHandler(SimpleHTTPRequestHandler):
    api_url = "http://127.0.0.1:8000"
    server_version = "ReferenceFrontend/1.0"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=str(STATIC_DIR), **kwargs)

    def do_GET(self):
        path = urlsplit(self.path).path
        if path.startswith("/assets/") and (STATIC_DIR / path.lstrip("/")).is_file():
            return super().do_GET()
        return self.send_index()

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
    args = parser.parse_args(argv)
    if not args.api.startswith(("http://", "https://")):
        parser.error(f"--api must be an http(s) URL, got {args.api!r}")
    mimetypes.add_type("text/javascript", ".js")
    handler = type("Handler", (FrontendHandler,), {"api_url": args.api.rstrip("/")})
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

"""Acceptance: no forged or mutated token grants a draft, tokens stay out of logs, previews are
never cacheable and never served without a token."""

import datetime
import io
import logging
import random
import string
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.core import signing
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.db import connections

from preview import services, tokens
from preview.logging import redact
from preview.models import ShareLink

from .factories import FAQIndexPageFactory, FAQPageFactory, FAQQuestionFactory

DRAFT_TEXT = "Confidential draft answer"
TARGET_MUTATIONS = 10_000
HTTP_SAMPLE = 300
B64 = string.ascii_letters + string.digits + "-_"


@pytest.fixture
def draft(home):
    """A published FAQ section whose latest revision is a confidential draft."""
    index = FAQIndexPageFactory(parent=home)
    index.save_revision().publish()
    section = FAQPageFactory(parent=index, title="ISECG", slug="isecg")
    FAQQuestionFactory(page=section, answer="<p>Published.</p>")
    section.save_revision().publish()
    page = section.get_latest_revision_as_object()
    page.questions.all()[0].answer = f"<p>{DRAFT_TEXT}</p>"
    page.save_revision()
    section.refresh_from_db()
    return section


@pytest.fixture
def valid_tokens(draft, editor):
    """A genuine share token and a genuine live-preview token for the draft."""
    _link, share = services.share_link_create(
        page=draft,
        revision=draft.latest_revision,
        user=editor,
        expires_in=datetime.timedelta(days=1),
    )
    _state, live = services.live_preview_create(page=draft.latest_revision.as_object(), user=editor)
    return {"share": share, "live": live}


def mutations(token: str, rng: random.Random):
    """Yield variants of a genuine token an attacker might try."""
    for i in range(len(token)):  # every single-character substitution (three per position)
        for replacement in rng.sample(B64 + ":", 3):
            if replacement != token[i]:
                yield token[:i] + replacement + token[i + 1 :]
    for length in range(len(token)):  # every truncation
        yield token[:length]
    for i in range(len(token) - 1):  # adjacent swaps
        if token[i] != token[i + 1]:
            yield token[:i] + token[i + 1] + token[i] + token[i + 2 :]
    for extra in ("=", "==", "A", ":", " ", "%00", token):  # extensions
        yield token + extra
    payload, timestamp, signature = token.split(":")
    yield ":".join([payload, timestamp])
    yield ":".join([payload, signature])
    yield ":".join([payload, timestamp, signature, signature])
    yield token.upper()
    yield token.lower()


def forgeries(draft, other_page_id: int, rng: random.Random):
    """Yield well-formed tokens for this draft's page, another page or another revision,
    signed with the wrong key, the wrong salt, or correctly but never issued (not stored)."""
    expires = int((datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=1)).timestamp())
    for page_id in (draft.pk, other_page_id):
        for revision_id in (draft.latest_revision_id, draft.live_revision_id, 1, 99999):
            for kind in ("share", "live"):
                payload = {"k": kind, "p": page_id, "r": revision_id, "e": expires, "n": "x" * 12}
                yield signing.dumps(payload, key="not-the-secret-key", salt=tokens.SALT)
                yield signing.dumps(payload, salt="headlesspreview.token")
                yield signing.dumps(payload, salt="")
                yield signing.dumps(payload, salt=tokens.SALT)  # genuine signature, never issued
                yield signing.TimestampSigner(salt="headlesspreview.token").sign(f"id={page_id}")
    while True:  # random strings shaped like tokens
        yield ":".join(
            "".join(rng.choice(B64) for _ in range(n)) for n in (rng.randint(60, 120), 6, 43)
        )


def candidate_tokens(draft, valid_tokens, other_page_id: int, count: int, seed: int = 5):
    rng = random.Random(seed)
    genuine = set(valid_tokens.values())
    seen = set()
    sources = [mutations(valid_tokens["share"], rng), mutations(valid_tokens["live"], rng)]
    sources.append(forgeries(draft, other_page_id, rng))
    for source in sources:
        for candidate in source:
            if candidate in genuine or candidate in seen:
                continue
            seen.add(candidate)
            yield candidate
            if len(seen) >= count:
                return


def grants(token: str, page_id: int | None = None) -> bool:
    try:
        services.preview_grant(token=token, page_id=page_id)
    except services.PreviewDenied:
        return False
    return True


@pytest.mark.slow
def test_ten_thousand_random_and_mutated_tokens_grant_nothing(draft, valid_tokens, home):
    assert grants(valid_tokens["share"]) and grants(valid_tokens["live"])  # the real ones work

    candidates = list(candidate_tokens(draft, valid_tokens, home.pk, TARGET_MUTATIONS))
    hits = [token for token in candidates if grants(token)]
    other_page_hits = [kind for kind, token in valid_tokens.items() if grants(token, home.pk)]
    revoked = ShareLink.objects.get()
    services.link_revoke(link=revoked, user=None)

    assert len(candidates) == TARGET_MUTATIONS
    assert hits == []
    assert other_page_hits == []
    assert not grants(valid_tokens["share"])


@pytest.mark.slow
def test_hundreds_of_mutated_tokens_over_http_never_show_the_draft(
    api_client, draft, valid_tokens, home
):
    cache.clear()  # the preview throttle counts requests per client in the cache
    candidates = list(candidate_tokens(draft, valid_tokens, home.pk, HTTP_SAMPLE, seed=11))
    statuses = {}
    for token in candidates:
        response = api_client.get("/api/v1/preview/", {"token": token})
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        assert DRAFT_TEXT not in response.content.decode()
        assert response["Cache-Control"] == "private, no-store"

    assert set(statuses) <= {401, 403}, statuses
    assert sum(statuses.values()) == HTTP_SAMPLE
    assert api_client.get("/api/v1/preview/", {"token": valid_tokens["share"]}).status_code == 200


def test_preview_is_never_served_without_the_token(api_client, draft, valid_tokens):
    for response in (
        api_client.get("/api/v1/preview/"),
        api_client.get("/api/v1/preview/", {"id": draft.pk}),
        api_client.get("/api/v1/preview/", HTTP_AUTHORIZATION=f"Bearer {valid_tokens['share']}"),
        api_client.get("/api/v1/preview/", HTTP_COOKIE=f"token={valid_tokens['share']}"),
    ):
        assert response.status_code == 401
        assert DRAFT_TEXT not in response.content.decode()
        assert response["Cache-Control"] == "private, no-store"


def test_every_preview_response_forbids_caching(api_client, draft, valid_tokens):
    responses = [
        api_client.get("/api/v1/preview/", {"token": valid_tokens["share"]}),
        api_client.get("/api/v1/preview/", {"token": valid_tokens["live"]}),
        api_client.get("/api/v1/preview/", {"token": "nope"}),
        api_client.get("/api/v1/preview/", {"token": valid_tokens["share"], "id": 1}),
    ]

    assert [r.status_code for r in responses] == [200, 200, 401, 403]
    for response in responses:
        assert response["Cache-Control"] == "private, no-store"
        assert response["X-Robots-Tag"] == "noindex"
        assert "public" not in response["Cache-Control"]


# Logs ----------------------------------------------------------------------------------------


class LoggingServerThread(threading.Thread):
    """Serve the project with runserver's own request handler, which logs every request line
    to `django.server`, as `manage.py runserver` does."""

    def __init__(self):
        super().__init__(daemon=True)
        self.ready = threading.Event()

    def run(self):
        self.server = ThreadedWSGIServer(
            ("127.0.0.1", 0), WSGIRequestHandler, allow_reuse_address=True
        )
        self.server.set_app(WSGIHandler())
        self.ready.set()
        self.server.serve_forever(poll_interval=0.05)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def logging_server():
    # The in-memory SQLite test database is per connection: share it with the server's threads.
    connection = connections["default"]
    shared = connection.vendor == "sqlite" and connection.is_in_memory_db()
    if shared:
        connection.inc_thread_sharing()
    thread = LoggingServerThread()
    thread.start()
    thread.ready.wait(10)
    host, port = thread.server.server_address[:2]
    yield f"http://{host}:{port}"
    thread.stop()
    if shared:
        connection.dec_thread_sharing()


@pytest.fixture
def server_log():
    """Everything `django.server` and `django.request` write, through the configured filters."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    loggers = [logging.getLogger(name) for name in ("django.server", "django.request")]
    for logger in loggers:
        logger.addHandler(handler)
    yield stream
    for logger in loggers:
        logger.removeHandler(handler)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the server thread commits
def test_tokens_never_reach_the_server_log(logging_server, server_log, draft, valid_tokens):
    token = valid_tokens["share"]
    urls = [
        f"{logging_server}/api/v1/preview/?token={token}",
        f"{logging_server}/api/v1/preview/?id={draft.pk}&token={token}",
        f"{logging_server}/api/v1/preview/?token={token}x",
    ]
    statuses = []
    for url in urls:
        request = urllib.request.Request(url, headers={"Referer": f"http://fe.test/?token={token}"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                statuses.append(response.status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)

    log = server_log.getvalue()
    assert statuses == [200, 200, 401]
    assert "/api/v1/preview/?token=[redacted]" in log
    assert token not in log
    assert token.split(":")[-1] not in log


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the server thread commits
def test_encoded_token_parameters_never_reach_the_server_log(
    logging_server, server_log, draft, valid_tokens
):
    """`?tok%65n=` is the token to the endpoint (a 200 shows it was read), so every log that
    prints the URL must redact it too, and the Referer's doubly encoded copy."""
    token = valid_tokens["share"]
    quoted = urllib.parse.quote(token, safe="")
    statuses = []
    for key in ("tok%65n", "%74oken", "t%6Fk%65n"):
        request = urllib.request.Request(
            f"{logging_server}/api/v1/preview/?{key}={quoted}",
            headers={"Referer": f"http://fe.test/?next=%2F%3Ftok%2565n%3D{quoted}"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            statuses.append(response.status)

    log = server_log.getvalue()
    assert statuses == [200, 200, 200]
    assert "tok%65n=[redacted]" in log
    assert token.split(":")[-1] not in log and quoted not in log


def test_gunicorn_access_log_redacts_tokens():
    from gunicorn.config import Config

    from cms.gunicorn_logging import RedactingGunicornLogger

    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", '%(h)s "%(r)s" %(s)s "%(f)s" %(q)s %({x-preview}i)s %(U)s')
    logger = RedactingGunicornLogger(config)
    stream = io.StringIO()
    for handler in logger.access_log.handlers:
        if getattr(handler, "_gunicorn", False):  # not pytest's capture handlers
            handler.stream = stream

    class Response:
        status = "200 OK"
        sent = 10
        headers = []

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/api/v1/preview/?token=abc.def:ghi&id=3",
        "PATH_INFO": "/api/v1/preview/",
        "QUERY_STRING": "token=abc.def:ghi&id=3",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": "http://fe.test/faq/?token=abc.def:ghi",
    }
    logger.access(Response(), [("X-Preview", "token=abc.def:ghi")], environ, datetime.timedelta(0))

    line = stream.getvalue()
    assert "abc.def:ghi" not in line
    assert line.count("token=[redacted]") == 4


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "GET /api/v1/preview/?token=a:b:c HTTP/1.1",
            "GET /api/v1/preview/?token=[redacted] HTTP/1.1",
        ),
        ("?id=3&token=a:b:c&x=1", "?id=3&token=[redacted]&x=1"),
        ("/?next=%2F%3Ftoken%3Da%3Ab", "/?next=%2F%3Ftoken%3D[redacted]"),
        ('"GET /?TOKEN=abc" 200', '"GET /?TOKEN=[redacted]" 200'),
        ("/tokens/?page=2", "/tokens/?page=2"),
    ],
)
def test_redact_replaces_every_token_value(text, expected):
    assert redact(text) == expected

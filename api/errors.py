"""One error format for the whole API: RFC 9457 `application/problem+json`.

DRF exceptions go through `exception_handler`; Django's own 404/500 on `/api/` paths through
`handler404`/`handler500` in `cms.urls`, so no API path ever answers HTML or a traceback.
"""

import json
import logging
import math
from http import HTTPStatus

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils.module_loading import import_string
from rest_framework import exceptions
from rest_framework.views import set_rollback

from documents.paths import collection_path

PROBLEM_JSON = "application/problem+json"
logger = logging.getLogger(__name__)


class BadRequest(exceptions.APIException):
    """A query parameter is unknown or has a bad value."""

    status_code = 400
    default_detail = "Bad request."
    default_code = "bad_request"


class Gone(exceptions.APIException):
    status_code = 410
    default_detail = "Gone."
    default_code = "gone"


def problem(status: int, detail: str, *, title: str | None = None, **extra) -> HttpResponse:
    """Return a problem+json response."""
    body = {
        "type": extra.pop("type", "about:blank"),
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        **extra,
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=PROBLEM_JSON
    )
    response["Cache-Control"] = "no-store"
    return response


def _detail_text(detail) -> tuple[str, list | None]:
    """Flatten DRF's error detail (string, list or dict) into one sentence and a field list."""
    if isinstance(detail, dict):
        errors = [
            {"field": field, "message": " ".join(str(m) for m in _as_list(messages))}
            for field, messages in detail.items()
        ]
        text = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return text, errors
    if isinstance(detail, list):
        return " ".join(str(item) for item in detail), None
    return str(detail), None


def _as_list(value):
    return value if isinstance(value, list) else [value]


def exception_handler(exc, context):
    """DRF exception handler answering every error as problem+json."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if not isinstance(exc, exceptions.APIException):
        logger.exception("Unhandled API error", exc_info=exc)
        _rollback_request(context)
        return problem(500, "The server failed to answer this request; it has been logged.")
    detail, errors = _detail_text(exc.detail)
    extra = {"errors": errors} if errors else {}
    extra |= getattr(exc, "problem_extra", {})  # e.g. a refused token's `reason`
    response = problem(exc.status_code, detail, title=getattr(exc, "problem_title", None), **extra)
    if getattr(exc, "auth_header", None):
        response["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None) is not None:
        response["Retry-After"] = str(max(math.ceil(exc.wait), 1))
    _rollback_request(context)
    return response


def _rollback_request(context) -> None:
    """Roll back the request's own transaction, if it opened one.

    Delivery views opt out of ATOMIC_REQUESTS, so a transaction open around them belongs to
    someone else (a test, a caller embedding the view); marking it for rollback would make
    every later query in it fail.
    """
    if getattr(context.get("view"), "atomic_request", True):
        set_rollback()


def is_api_path(request) -> bool:
    return request.path.startswith("/api/")


DJANGO_DETAILS = {
    400: "The request could not be understood.",
    403: "Access to this resource is forbidden.",
    404: f"There is no API endpoint at this path; see {collection_path('docs')}.",
    500: "The server failed to answer this request; it has been logged.",
}


def api_aware_handler(status: int, fallback: str):
    """Return a Django error handler that answers problem+json on API paths."""
    default_view = import_string(fallback)

    def handler(request, exception=None):
        if is_api_path(request):
            return problem(status, DJANGO_DETAILS[status])
        if status == 500:
            return default_view(request)
        return default_view(request, exception)

    return handler


def not_found(request, *args, **kwargs):
    """Answer unknown API paths (also with DEBUG on, where Django would show its HTML page)."""
    return problem(404, DJANGO_DETAILS[404])

"""Content negotiation for the delivery API: DRF's, with the common case answered at once and
`q=0` honoured."""

from django.utils.http import parse_header_parameters
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation

# What clients send when any representation will do, or JSON is asked for by name.
PLAIN_ACCEPTS = frozenset({"*/*", "application/json"})


class DeliveryContentNegotiation(DefaultContentNegotiation):
    """Pick the first renderer directly when the Accept header leaves no choice to make.

    DRF parses the Accept header into media types and ranks them on every request, a tenth of
    a detail read's time. With no header, `*/*` or `application/json`, and no `format`
    override, the answer is always the first renderer and its own media type: exactly what
    DRF returns then. Anything else goes through DRF (and a 406 where nothing matches).

    DRF ranks media ranges but ignores their quality: `application/json;q=0` ("anything but
    JSON") got JSON. A renderer whose type the most specific matching range gives `q=0` is
    not acceptable (RFC 9110, 12.5.1), so that is a 406.
    """

    def select_renderer(self, request, renderers, format_suffix=None):
        accept = request.META.get("HTTP_ACCEPT", "*/*")
        format_param = self.settings.URL_FORMAT_OVERRIDE
        if (
            accept in PLAIN_ACCEPTS
            and format_suffix is None
            and (format_param is None or format_param not in request._request.GET)
            and renderers
            and renderers[0].media_type == "application/json"
        ):
            return renderers[0], renderers[0].media_type
        ranges = [_media_range(token) for token in self.get_accept_list(request)]
        acceptable = [r for r in renderers if _quality(r.media_type, ranges) != 0]
        if not acceptable:
            raise NotAcceptable(available_renderers=renderers)
        return super().select_renderer(request, acceptable, format_suffix)


def _media_range(token: str) -> tuple[str, str, float]:
    """Parse `type/subtype;q=0.5` into (type, subtype, quality); a bad q counts as 1."""
    try:
        full_type, params = parse_header_parameters(token)
        quality = float(params.get("q", "1"))
    except ValueError:
        full_type, quality = token.split(";", 1)[0].strip(), 1.0
    main, _, sub = full_type.lower().partition("/")
    return main, sub, quality


def _quality(media_type: str, ranges: list[tuple[str, str, float]]) -> float | None:
    """Return the quality the most specific range matching `media_type` gives it (None when
    no range matches: DRF then answers 406 itself)."""
    main, _, sub = media_type.lower().partition("/")
    best: tuple[int, float] | None = None
    for range_main, range_sub, quality in ranges:
        if range_main == main and range_sub == sub:
            specificity = 2
        elif range_main == main and range_sub == "*":
            specificity = 1
        elif range_main == "*":
            specificity = 0
        else:
            continue
        if best is None or specificity > best[0]:
            best = (specificity, quality)
    return None if best is None else best[1]

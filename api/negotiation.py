"""Content negotiation for the delivery API: DRF's, with the common case answered at once."""

from rest_framework.negotiation import DefaultContentNegotiation

# What clients send when any representation will do, or JSON is asked for by name.
PLAIN_ACCEPTS = frozenset({"*/*", "application/json"})


class DeliveryContentNegotiation(DefaultContentNegotiation):
    """Pick the first renderer directly when the Accept header leaves no choice to make.

    DRF parses the Accept header into media types and ranks them on every request, a tenth of
    a detail read's time. With no header, `*/*` or `application/json`, and no `format`
    override, the answer is always the first renderer and its own media type: exactly what
    DRF returns then. Anything else goes through DRF (and a 406 where nothing matches).
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
        return super().select_renderer(request, renderers, format_suffix)

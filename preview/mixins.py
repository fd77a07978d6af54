"""The page side of headless preview: Wagtail's Preview opens the frontend with a fresh token."""

from django.shortcuts import redirect


class FrontendPreviewMixin:
    """Serve previews by sending the browser to the frontend with a live-preview token.

    Wagtail calls `serve_preview` only after its own permission checks (edit, add, publish or
    the review task's actions), with the object it would show: the unsaved form state in the
    editor and its live preview panel, or a saved revision on the review screen. That object
    is stored for PREVIEW_LIVE_TTL and the frontend fetches it from /api/v1/preview/.
    """

    preview_modes = [("", "Frontend")]

    def serve_preview(self, request, mode_name):
        from .frontend import frontend_preview_url
        from .services import live_preview_create

        _state, token = live_preview_create(
            page=self, user=request.user, revision_id=getattr(request, "revision_id", None)
        )
        response = redirect(frontend_preview_url(page=self, token=token))
        response["Cache-Control"] = "private, no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response

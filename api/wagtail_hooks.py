"""Admin: API tokens for members-only content, managed under Settings > API tokens."""

from django.apps import apps
from wagtail import hooks
from wagtail.users.views.api_tokens import APITokenViewSet


@hooks.register("register_admin_viewset")
def register_api_token_viewset():
    # Wagtail registers this viewset itself only with its v3 API installed; the delivery API
    # uses the same tokens (to identify members), so the admin needs it either way.
    if apps.is_installed("wagtail.api.v3"):
        return []
    return APITokenViewSet("wagtailusers_api_tokens", url_prefix="api-tokens")

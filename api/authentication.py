"""API tokens: Wagtail's own `APIToken`, created and revoked in the admin (Settings > API tokens).

A token only identifies the caller, so members-only content can be read; it never grants
access to drafts, whatever the token user may edit in the admin.

Failed authentications are throttled per client address (`auth_failure` rate, default 30 a
minute; `api.throttling.AuthFailureThrottle`): past it, every request carrying a token from that
address is a 429 until the window frees up, valid tokens included, so guessing stays slow and
a right guess is not told apart from a wrong one. Successes are not counted; anonymous requests
from the same address are unaffected.
"""

from django.utils import timezone
from rest_framework import authentication, exceptions
from wagtail.models import APIToken

from documents.audience import Caller

from .throttling import AuthFailureThrottle

LAST_USED_INTERVAL_SECONDS = 60


class APITokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer wagtail_...`; no header means an anonymous caller."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            request._request.caller = None
            return None
        failures = AuthFailureThrottle()
        wait = failures.retry_after(request)
        if wait is not None:
            raise exceptions.Throttled(
                wait,
                detail="Too many failed authentications from this address; requests with "
                "credentials are refused until the wait is over.",
            )
        try:
            api_token = self._api_token(header)
        except exceptions.AuthenticationFailed:
            failures.failure(request)
            raise
        self._touch(api_token)
        request._request.caller = Caller.for_user(api_token.user)
        return api_token.user, api_token

    def _api_token(self, header: str) -> APIToken:
        """Return the live token the header names; raise AuthenticationFailed saying why not."""
        keyword, _, token = header.partition(" ")
        if keyword.lower() != self.keyword.lower() or not token.strip():
            raise exceptions.AuthenticationFailed(
                "The Authorization header must be 'Bearer <API token>'."
            )
        token = token.strip()
        if not APIToken.validate_token_format(token):
            raise exceptions.AuthenticationFailed("This is not a valid API token.")
        api_token = (
            APIToken.objects.select_related("user")
            .filter(key_hash__in=APIToken.candidate_key_hashes(token), revoked_at__isnull=True)
            .first()
        )
        if api_token is None or not api_token.user.is_active:
            raise exceptions.AuthenticationFailed("This API token is unknown or was revoked.")
        return api_token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'

    @staticmethod
    def _touch(api_token) -> None:
        now = timezone.now()
        last = api_token.last_used_at
        if last is None or (now - last).total_seconds() >= LAST_USED_INTERVAL_SECONDS:
            APIToken.objects.filter(pk=api_token.pk).update(last_used_at=now)

"""The base of every delivery endpoint: token authentication, throttling, declared parameters."""

from django.db import transaction
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from ..access import caller_of
from ..authentication import APITokenAuthentication
from ..negotiation import DeliveryContentNegotiation
from ..params import reject_unknown


class DeliveryView(APIView):
    """Read-only endpoint. Subclasses list the query parameters they accept in `params`."""

    authentication_classes = [APITokenAuthentication]
    permission_classes: list = []
    throttle_classes = [AnonRateThrottle, UserRateThrottle]
    content_negotiation_class = DeliveryContentNegotiation
    params: frozenset[str] = frozenset()
    atomic_request = False  # see as_view(); errors must not roll back a caller's transaction

    @classmethod
    def as_view(cls, **initkwargs):
        # Reads need no transaction; ATOMIC_REQUESTS is for the admin's writes.
        return transaction.non_atomic_requests(super().as_view(**initkwargs))

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        reject_unknown(request, set(self.params))

    @property
    def caller(self):
        return caller_of(self.request._request)

"""Liveness and readiness for load balancers and `make run`."""

from django.db import connection
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from ..schema import ERRORS
from ..views import DeliveryView


class HealthSerializer(serializers.Serializer):
    status = serializers.CharField()
    database = serializers.CharField()


class HealthView(DeliveryView):
    """Report that the app answers and its database is reachable."""

    throttle_classes: list = []

    @extend_schema(
        operation_id="health",
        summary="Is the service up?",
        responses={
            200: HealthSerializer,
            **{key: value for key, value in ERRORS.items() if key[0] != 429},  # not throttled
        },
        tags=["Health"],
    )
    def get(self, request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        # A probe must reach the app every time: no validators, no caching anywhere.
        health = HealthSerializer({"status": "ok", "database": connection.vendor})
        return Response(health.data, headers={"Cache-Control": "no-store"})

"""Liveness and readiness for load balancers and `make run`."""

from django.db import connection
from rest_framework.response import Response
from rest_framework.views import APIView


class HealthView(APIView):
    """Report that the app answers and its database is reachable."""

    authentication_classes: list = []
    permission_classes: list = []

    def get(self, request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return Response({"status": "ok", "database": connection.vendor})

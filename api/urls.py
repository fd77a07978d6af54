"""The delivery API's routes, under /api/v1/."""

from django.urls import path

from .views import health

app_name = "api"

urlpatterns = [
    path("health/", health.HealthView.as_view(), name="health"),
]

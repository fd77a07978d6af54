"""Routes of the bench server: the site's own, plus Wagtail's API v2 and v3 and the floor view.

Mounted before the site's routes, whose catch-all answers any other /api/ path with a 404.
"""

from django.urls import path
from wagtail.api.v3.urls import api as wagtail_api_v3

from cms import urls as site_urls
from cms.urls import handler400, handler403, handler404, handler500  # noqa: F401

from .floor import floor
from .wagtail_apis import v2_router

urlpatterns = [
    path("api/v2/", v2_router().urls),
    path("api/v3/", wagtail_api_v3.urls),
    path("bench/floor/<str:name>/", floor, name="bench-floor"),
    *site_urls.urlpatterns,
]

import re

from django.conf import settings
from django.http import Http404
from django.urls import include, path, re_path
from django.views.static import serve
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from api.errors import api_aware_handler, not_found

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path(settings.API_URL_PREFIX.lstrip("/"), include("api.urls")),
    re_path(r"^api/", not_found),
]


def media(request, path: str):
    """Uploaded images, their renditions and documents' files, when Django serves them (DEBUG
    or SERVE_MEDIA, read per request); a web server or CDN in front usually does."""
    if not (settings.DEBUG or settings.SERVE_MEDIA):
        raise Http404("Media are not served here.")
    return serve(request, path, document_root=settings.MEDIA_ROOT)


if settings.MEDIA_URL.startswith("/"):  # a MEDIA_URL on another host is served there
    urlpatterns += [re_path(rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$", media)]

urlpatterns += [path("", include(wagtail_urls))]

# API paths answer problem+json even when Django itself raises (unknown URL, crash).
handler400 = api_aware_handler(400, "django.views.defaults.bad_request")
handler403 = api_aware_handler(403, "django.views.defaults.permission_denied")
handler404 = api_aware_handler(404, "django.views.defaults.page_not_found")
handler500 = api_aware_handler(500, "django.views.defaults.server_error")

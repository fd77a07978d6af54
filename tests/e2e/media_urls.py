"""The project's URLs plus uploaded media, for the live server of the browser tests.

`cms.urls` serves MEDIA_URL only with DEBUG (a web server or CDN serves media in production),
and the tests run with DEBUG off; images must load in the browser all the same.
"""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from cms.urls import handler400, handler403, handler404, handler500
from cms.urls import urlpatterns as cms_urls

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def media(request, path):
    return serve(request, path, document_root=settings.MEDIA_ROOT)  # read per request


urlpatterns = [re_path(r"^media/(?P<path>.*)$", media), *cms_urls]

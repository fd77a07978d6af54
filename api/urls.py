"""The delivery API's routes, under /api/v1/. Paths are part of the contract."""

from django.urls import path, re_path
from django.views.decorators.http import conditional_page
from drf_spectacular.views import SpectacularAPIView

from .errors import not_found
from .views import changes, health, pages, preview, search
from .views.collections import FAQ_VIEWS, MEMBER_VIEWS, ROADMAP_VIEWS
from .views.docs import DocsView

app_name = "api"


def collection_urls(prefix: str, views) -> list:
    list_view, detail_view, versions_view, version_view = views
    return [
        path(f"{prefix}/", list_view.as_view(), name=f"{prefix}-list"),
        path(f"{prefix}/<int:pk>/", detail_view.as_view(), name=f"{prefix}-detail"),
        path(f"{prefix}/<int:pk>/versions/", versions_view.as_view(), name=f"{prefix}-versions"),
        path(
            f"{prefix}/<int:pk>/versions/<int:number>/",
            version_view.as_view(),
            name=f"{prefix}-version",
        ),
    ]


urlpatterns = [
    *collection_urls("faqs", FAQ_VIEWS),
    *collection_urls("members", MEMBER_VIEWS),
    *collection_urls("roadmap-releases", ROADMAP_VIEWS),
    path("pages/resolve/", pages.ResolveView.as_view(), name="pages-resolve"),
    *collection_urls(
        "pages",
        (
            pages.PageListView,
            pages.PageDetailView,
            pages.PageVersionListView,
            pages.PageVersionDetailView,
        ),
    ),
    path("search/", search.SearchView.as_view(), name="search"),
    path("changes/", changes.ChangesView.as_view(), name="changes"),
    path("preview/", preview.PreviewView.as_view(), name="preview"),
    path("health/", health.HealthView.as_view(), name="health"),
    # Rendered per request; conditional_page gives them a strong ETag and answers 304s.
    path("schema/", conditional_page(SpectacularAPIView.as_view()), name="schema"),
    path(
        "docs/",
        conditional_page(DocsView.as_view(url_name="api:schema")),
        name="docs",
    ),
    re_path(r"^.*$", not_found, name="not-found"),
]

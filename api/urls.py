"""The delivery API's routes, under API_URL_PREFIX (/api/v1/). Paths are part of the contract."""

from django.urls import path, re_path
from django.views.decorators.http import conditional_page
from drf_spectacular.views import SpectacularAPIView

from .errors import not_found
from .resources.changes import ChangesView
from .resources.docs import DocsView
from .resources.faqs import FAQDetailView, FAQListView
from .resources.health import HealthView
from .resources.index import IndexView
from .resources.members import MemberDetailView, MemberListView
from .resources.pages import PageDetailView, PageListView, ResolveView
from .resources.preview import PreviewView
from .resources.releases import ReleaseDetailView, ReleaseListView
from .resources.roadmap_releases import RoadmapReleaseDetailView, RoadmapReleaseListView
from .resources.search import SearchView
from .resources.sitemap import SitemapView
from .resources.versions import (
    FAQVersionDetailView,
    FAQVersionListView,
    MemberVersionDetailView,
    MemberVersionListView,
    PageVersionDetailView,
    PageVersionListView,
    RoadmapReleaseVersionDetailView,
    RoadmapReleaseVersionListView,
)

app_name = "api"


def collection_urls(prefix: str, list_view, detail_view, versions_view, version_view) -> list:
    """Route a collection's list, detail, versions and version endpoints."""
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
    path("", IndexView.as_view(), name="index"),
    *collection_urls("faqs", FAQListView, FAQDetailView, FAQVersionListView, FAQVersionDetailView),
    *collection_urls(
        "members", MemberListView, MemberDetailView, MemberVersionListView, MemberVersionDetailView
    ),
    *collection_urls(
        "roadmap-releases",
        RoadmapReleaseListView,
        RoadmapReleaseDetailView,
        RoadmapReleaseVersionListView,
        RoadmapReleaseVersionDetailView,
    ),
    path("pages/resolve/", ResolveView.as_view(), name="pages-resolve"),
    *collection_urls(
        "pages", PageListView, PageDetailView, PageVersionListView, PageVersionDetailView
    ),
    path("search/", SearchView.as_view(), name="search"),
    path("sitemap/", SitemapView.as_view(), name="sitemap"),
    path("changes/", ChangesView.as_view(), name="changes"),
    path("releases/", ReleaseListView.as_view(), name="releases-list"),
    path("releases/<int:pk>/", ReleaseDetailView.as_view(), name="releases-detail"),
    path("preview/", PreviewView.as_view(), name="preview"),
    path("health/", HealthView.as_view(), name="health"),
    # Rendered per request; conditional_page gives them a strong ETag and answers 304s.
    path("schema/", conditional_page(SpectacularAPIView.as_view()), name="schema"),
    path(
        "docs/",
        conditional_page(DocsView.as_view(url_name="api:schema")),
        name="docs",
    ),
    re_path(r"^.*$", not_found, name="not-found"),
]

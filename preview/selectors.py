"""What the admin's share-link screens list (page share links here, release links too)."""

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

USES_SHOWN = 50  # the latest uses listed under a link; the count covers them all


def link_rows(links: QuerySet) -> list[dict]:
    """Each link (a RevocableLink queryset) with its status now, its use count and latest uses."""
    use_model = links.model.uses.rel.related_model
    links = (
        links.select_related("created_by", "revoked_by")
        .annotate(use_count=Count("uses"))
        .prefetch_related(Prefetch("uses", queryset=use_model.objects.order_by("-at", "-pk")))
    )
    now = timezone.now()
    return [
        {"link": link, "status": link.status(now=now), "uses": list(link.uses.all())[:USES_SHOWN]}
        for link in links
    ]

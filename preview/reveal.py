"""Show a new share link once, on the page the browser is redirected to after creating it.

The create view answers its POST with a redirect (post/redirect/get), so reloading the page that
follows never creates a second link. Only the link's hash is stored, so its URL waits in the
creator's session until that page takes it: it is shown on the first view and then no more.
"""

from __future__ import annotations

from django.utils.cache import add_never_cache_headers

SESSION_KEY = "preview_new_share_link"


def new_link_keep(request, *, scope: str, link_id: int, url: str) -> None:
    """Keep the new link's URL for the next view of `scope` (e.g. "page:42") in this session."""
    request.session[SESSION_KEY] = {"scope": scope, "link_id": link_id, "url": url}


def new_link_take(request, *, scope: str) -> tuple[int, str] | None:
    """Return (link id, URL) of the link kept for `scope`, once; None when there is none."""
    kept = request.session.get(SESSION_KEY)
    if not isinstance(kept, dict) or kept.get("scope") != scope:
        return None
    del request.session[SESSION_KEY]
    return kept["link_id"], kept["url"]


class NewLinkShownOnce:
    """A share-link screen's GET: the form, and the link kept for `reveal_scope` on the first
    view after creating it (that answer is never cached). Views define `reveal_scope`,
    `empty_form()` and `render(form, new_link_id=..., new_link_url=...)`."""

    def get(self, request, *args, **kwargs):
        new_link = new_link_take(request, scope=self.reveal_scope)
        if new_link is None:
            return self.render(self.empty_form())
        link_id, url = new_link
        response = self.render(self.empty_form(), new_link_id=link_id, new_link_url=url)
        add_never_cache_headers(response)
        return response

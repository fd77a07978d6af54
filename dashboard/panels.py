"""The "Your work" panel on the admin's home: an editor's or reviewer's day at a glance.

Editors see their drafts, what they submitted and where it is, what was published lately,
the releases being prepared and how the work flows; reviewers see what waits for them first.
Each list is read by `selectors` in a fixed number of queries.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from wagtail.admin.ui.components import Component

from . import selectors


class EditorDashboardPanel(Component):
    name = "editor_dashboard"
    order = 50  # first: above Wagtail's own workflow and recent-edits panels

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None) -> dict:
        user = self.request.user
        reviewer = selectors.may_publish_pages(user)
        context = {
            "reviewer": reviewer,
            "drafts": selectors.drafts_of(user),
            "submitted": selectors.submitted_by(user),
            "awaiting": selectors.awaiting_review_by(user) if reviewer else None,
            "published": selectors.recent_publishes(),
            "releases": (
                selectors.unfinished_releases() if selectors.may_see_releases(user) else None
            ),
        }
        return context

    def render_html(self, parent_context=None) -> str:
        return render_to_string(
            "dashboard/editor_panel.html", self.get_context_data(parent_context), self.request
        )

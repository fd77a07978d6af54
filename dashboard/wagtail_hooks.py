"""Admin integration: the "Your work" panel on the dashboard."""

from wagtail import hooks

from .panels import EditorDashboardPanel


@hooks.register("construct_homepage_panels")
def add_editor_dashboard_panel(request, panels):
    if request.user.is_superuser or request.user.has_perm("wagtailadmin.access_admin"):
        panels.append(EditorDashboardPanel(request))

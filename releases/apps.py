from django.apps import AppConfig


class ReleasesConfig(AppConfig):
    name = "releases"
    verbose_name = "Releases"

    def ready(self):
        from wagtail.permissions import register_permission_policy

        from . import receivers  # noqa: F401  (connects the workflow signal receivers)
        from .models import Release
        from .permissions import ReleasePermissionPolicy

        register_permission_policy(Release, ReleasePermissionPolicy(Release))

from django.apps import AppConfig


class DevConfig(AppConfig):
    """Project-level developer commands: they supervise the apps, so they belong to none."""

    name = "cms.dev"
    label = "cms_dev"
    verbose_name = "Development tools"

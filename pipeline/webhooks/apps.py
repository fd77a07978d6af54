from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "pipeline.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)

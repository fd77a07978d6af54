from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "pipeline.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from pipeline import services as pipeline_services

        from . import checks  # noqa: F401
        from .services import deliveries_create

        # The outbox: every change gets its deliveries inside the transaction recording it.
        if deliveries_create not in pipeline_services.change_listeners:
            pipeline_services.change_listeners.append(deliveries_create)

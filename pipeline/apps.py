from django.apps import AppConfig


class PipelineConfig(AppConfig):
    name = "pipeline"
    verbose_name = "Content pipeline"

    def ready(self):
        from . import caches, services, signals  # noqa: F401

        if caches.purge_change not in services.change_listeners:
            services.change_listeners.append(caches.purge_change)

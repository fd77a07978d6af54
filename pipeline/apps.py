from django.apps import AppConfig


class PipelineConfig(AppConfig):
    name = "pipeline"
    verbose_name = "Content pipeline"

    def ready(self):
        from . import public_base, receivers  # noqa: F401  (the system check, the receivers)
        from .media_review import media_policies_register

        media_policies_register()

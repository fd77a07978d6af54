from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "Delivery API"

    def ready(self):
        from . import checks, schema  # noqa: F401  (system checks; the token scheme for drf-spectacular)

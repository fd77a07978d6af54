from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Installed by `cms.settings.bench` only, before `wagtail.api.v3`."""

    name = "bench"
    verbose_name = "Benchmarks"

    def ready(self):
        from .wagtail_apis import teach_v3_country_fields

        teach_v3_country_fields()

from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark's tools, for development and tests: `manage.py generate_content`.

    Installed by `cms.settings.dev` and `cms.settings.test`, never in production, where a slip
    of the keyboard would publish thousands of synthetic pages (and tell every webhook).
    """

    name = "bench"
    verbose_name = "Benchmarks"
    default = True


class BenchServerConfig(BenchConfig):
    """The bench server (`cms.settings.bench`): Wagtail's API v2 and v3 beside ours.

    Listed before `wagtail.api.v3`, so that v3 finds the models' API fields and knows how to
    read a CountryField when it first builds its schemas.
    """

    default = False

    def ready(self):
        from .wagtail_apis import declare_api_fields, teach_v3_country_fields

        declare_api_fields()
        teach_v3_country_fields()

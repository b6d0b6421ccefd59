from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "attunement.api"
    label = "api"
    verbose_name = "The API for other systems"

    def ready(self):
        from . import home_part  # noqa: F401  (adds the API keys link to the leaders' home page)

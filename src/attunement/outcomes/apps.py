from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "attunement.outcomes"
    label = "outcomes"

    def ready(self):
        from . import home_part  # noqa: F401  (adds the term dates link to the leaders' home page)

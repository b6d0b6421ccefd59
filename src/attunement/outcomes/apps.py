from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "attunement.outcomes"
    label = "outcomes"

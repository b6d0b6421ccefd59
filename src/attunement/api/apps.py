from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "attunement.api"
    label = "api"
    verbose_name = "The API for other systems"

from django.apps import AppConfig


class SetupConfig(AppConfig):
    name = "attunement.setup"
    label = "setup"
    verbose_name = "Setting organisations up, and the demonstration"

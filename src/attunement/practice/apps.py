from django.apps import AppConfig


class PracticeConfig(AppConfig):
    name = "attunement.practice"
    label = "practice"

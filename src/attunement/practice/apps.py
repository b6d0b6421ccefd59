from django.apps import AppConfig


class PracticeConfig(AppConfig):
    name = "attunement.practice"
    label = "practice"

    def ready(self):
        from .session_media import connect

        connect()

from django.apps import AppConfig


class InteractionConfig(AppConfig):
    name = "attunement.interaction"
    label = "interaction"
    verbose_name = "Interaction analysis of session videos"

    def ready(self):
        # The first measurement when a video becomes playable, the measuring task's place in the recovery of
        # stalled work, and what this app draws on the practice pages.
        from . import pages, signals, tasks  # noqa: F401

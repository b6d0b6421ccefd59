from django.apps import AppConfig


class ReflectionConfig(AppConfig):
    name = "attunement.reflection"
    label = "reflection"
    verbose_name = "Session videos"

    def ready(self):
        from . import signals  # noqa: F401  (connects file clean-up and the consent withdrawal handler)

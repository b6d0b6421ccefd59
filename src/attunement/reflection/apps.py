from django.apps import AppConfig


class ReflectionConfig(AppConfig):
    name = "attunement.reflection"
    label = "reflection"
    verbose_name = "Video reflection and coding"

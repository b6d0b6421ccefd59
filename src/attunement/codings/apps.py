from django.apps import AppConfig


class CodingsConfig(AppConfig):
    name = "attunement.codings"
    label = "codings"
    verbose_name = "Codings of sessions"

    def ready(self):
        from . import pages  # noqa: F401  (the link to a session's codings on its page)

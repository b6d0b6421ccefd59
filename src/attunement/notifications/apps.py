from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "attunement.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        from . import home_part  # noqa: F401  (registers the "For you" list with the home page)

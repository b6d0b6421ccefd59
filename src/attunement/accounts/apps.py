from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "attunement.accounts"
    label = "accounts"

    def ready(self):
        from . import signals  # noqa: F401  (connects the security log's receivers)

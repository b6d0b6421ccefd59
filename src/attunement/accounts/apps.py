from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "attunement.accounts"
    label = "accounts"

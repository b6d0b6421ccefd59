from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "attunement.privacy"
    label = "privacy"
    verbose_name = "Consent, retention, access and erasure"

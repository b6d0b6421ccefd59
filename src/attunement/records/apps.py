from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "attunement.records"
    label = "records"
    verbose_name = "Subject access, retention and erasure"

from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "attunement.organisations"
    label = "organisations"

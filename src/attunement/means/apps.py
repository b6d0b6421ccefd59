from django.apps import AppConfig


class MeansConfig(AppConfig):
    name = "attunement.means"
    label = "means"
    verbose_name = "Training, supervision and champions"

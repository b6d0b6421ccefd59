from django.apps import AppConfig


class LearnersConfig(AppConfig):
    name = "attunement.learners"
    label = "learners"

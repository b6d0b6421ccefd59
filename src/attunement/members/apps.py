from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "attunement.members"
    label = "members"
    verbose_name = "Members and invitations"

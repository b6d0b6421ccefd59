from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "attunement.members"
    label = "members"
    verbose_name = "Members and invitations"

    def ready(self):
        from . import single_sign_on  # noqa: F401  (connects the receiver of sign-ins through a provider)

"""Start the test provider: `python -m tests.oidc_provider.serve PORT`, with its set-up in the environment
(OIDC_DB, OIDC_KEY, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI, OIDC_USERS as JSON
[[email, password, first name, last name], ...])."""

import json
import os
import sys

os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from oauth2_provider.models import Application  # noqa: E402


def set_up() -> None:
    call_command("migrate", verbosity=0)
    for email, password, first, last in json.loads(os.environ["OIDC_USERS"]):
        get_user_model().objects.create_user(
            username=email, email=email, password=password, first_name=first, last_name=last
        )
    Application.objects.create(
        name="Attunement",
        client_id=os.environ["OIDC_CLIENT_ID"],
        client_secret=os.environ["OIDC_CLIENT_SECRET"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=os.environ["OIDC_REDIRECT_URI"],
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )


if __name__ == "__main__":
    set_up()
    call_command("runserver", f"127.0.0.1:{sys.argv[1]}", use_reloader=False, use_threading=True)

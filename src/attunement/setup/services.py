"""A new organisation, ready to use. This is the top of the app graph: it calls each app's own set-up."""

from django.db import transaction

from attunement.organisations.models import Organisation, Site
from attunement.practice.services import organisation_practice_setup

from .catalogues import ensure_default_catalogues


@transaction.atomic
def organisation_create(
    *, name: str, setting: str, sites: list[str] = (), weekly_session_target: int = 5
) -> Organisation:
    """A new school, service or family, ready to use: progress scales and the default catalogues included."""
    organisation = Organisation.objects.create(name=name, setting=setting, weekly_session_target=weekly_session_target)
    Site.objects.bulk_create(Site(organisation=organisation, name=site) for site in sites)
    organisation_set_up(organisation)
    return organisation


def organisation_set_up(organisation: Organisation) -> None:
    """What every organisation needs before its first page: the progress scales and its own lists."""
    organisation_practice_setup(organisation=organisation)
    ensure_default_catalogues(organisation)

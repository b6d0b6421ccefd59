from django.db import transaction

from .models import Membership, Organisation, Site


@transaction.atomic
def organisation_create(
    *, name: str, setting: str, sites: list[str] = (), weekly_session_target: int = 5
) -> Organisation:
    """A new school, service or family, ready to use: progress scales and the default catalogues included."""
    from attunement.practice.services import organisation_practice_setup

    organisation = Organisation.objects.create(name=name, setting=setting, weekly_session_target=weekly_session_target)
    Site.objects.bulk_create(Site(organisation=organisation, name=site) for site in sites)
    organisation_practice_setup(organisation=organisation)
    from attunement.setup.catalogues import ensure_default_catalogues

    ensure_default_catalogues(organisation)
    return organisation


def membership_add(*, organisation: Organisation, user, role: str, site: Site | None = None) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        organisation=organisation, user=user, defaults={"role": role, "site": site, "is_active": True}
    )
    return membership

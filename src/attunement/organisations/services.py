from .models import Membership, Organisation, Site


def membership_add(*, organisation: Organisation, user, role: str, site: Site | None = None) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        organisation=organisation, user=user, defaults={"role": role, "site": site, "is_active": True}
    )
    return membership

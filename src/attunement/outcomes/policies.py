from attunement.organisations.models import Role
from attunement.organisations.policies import ORGANISATION_WIDE_ROLES


def may_see_summary(actor) -> bool:
    """Inspectors, commissioners and funders see only this anonymised summary; leaders see it too, to know
    exactly what outsiders are shown."""
    return actor is not None and actor.is_active and actor.role in ORGANISATION_WIDE_ROLES | {Role.EXTERNAL}

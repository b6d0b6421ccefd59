import pytest

from attunement.api.services import api_key_create
from attunement.organisations.models import Role


def make_key(world, role=Role.COORDINATOR, name=None, organisation=None):
    """A key made the way an administrator makes one; returns (key, secret)."""
    admin = world.members[Role.ADMINISTRATOR]
    if organisation is not None and organisation != admin.organisation:
        admin = world.member(organisation, Role.ADMINISTRATOR, name=f"keyadmin{organisation.pk}")
    made = api_key_create(actor=admin, name=name or f"{role} key", role=role)
    return made.key, made.secret


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def api_client(client):
    return client

"""Coding files that are too large, too deep or full of entity tricks are refused on the upload page with a
plain message, and nothing is saved."""

import pytest

from attunement.coding.csvio import dumps_csv
from attunement.coding.model import DEFAULT_ETHOGRAM, Coding, Event
from attunement.codings.models import CodingPass

from ..coding.test_limits import AMPLIFIED, LAUGHS
from ..conftest import login
from .conftest import a_session, upload, url


def _post(client, world, data: bytes):
    session = a_session(world)
    login(client, world.practitioner)
    return client.post(url("import", session), {"file": upload(data)})


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        b"[" * 200_000 + b"]" * 200_000,
        b'{"observations": ' * 50_000 + b"1" + b"}" * 50_000,
    ],
    ids=["list", "object"],
)
def test_deeply_nested_json_gets_a_plain_message(world, client, data):
    response = _post(client, world, data)
    assert response.status_code == 400
    assert "nested too deeply" in response.content.decode()
    assert not CodingPass.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("template", [LAUGHS, AMPLIFIED], ids=["billion-laughs", "amplified"])
@pytest.mark.parametrize("codec", ["utf-8", "utf-16", "utf-16-le"])
def test_an_elan_file_with_entities_is_refused_in_any_encoding(world, client, codec, template):
    data = template.format(encoding=codec.upper().replace("-LE", "")).encode(codec)
    response = _post(client, world, data)
    assert response.status_code == 400
    assert "declares a DOCTYPE, entities or outside references" in response.content.decode()
    assert not CodingPass.objects.exists()


@pytest.mark.django_db
def test_a_file_over_the_event_limit_is_refused_naming_the_limit(world, client, settings):
    settings.CODING_IMPORT_MAX_EVENTS = 300
    events = tuple(Event(i / 10, "L-smiles", "learner") for i in range(301))
    response = _post(client, world, dumps_csv(Coding(DEFAULT_ETHOGRAM, events)).encode())
    assert response.status_code == 400
    assert "more than 300 events, the most one file may have" in response.content.decode()
    assert not CodingPass.objects.exists()
    response = _post(client, world, dumps_csv(Coding(DEFAULT_ETHOGRAM, events[:300])).encode())
    assert response.status_code == 302
    assert CodingPass.objects.get().events.count() == 300

"""API keys: made by administrators and shown once, kept only as a hash, refused at once when revoked,
limited per minute, and every request recorded."""

import hashlib
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from attunement.api.models import ApiKey
from attunement.api.policies import KEY_ROLES
from attunement.api.services import api_key_create
from attunement.organisations.models import AuditEntry, Role
from attunement.organisations.selectors import staff_of

from ..conftest import login
from .conftest import bearer, make_key

KEY_SHAPE = re.compile(r'value="(att_[A-Za-z0-9_-]{40,})"')


def _make_on_the_page(client, world, name="Information system", role=Role.COORDINATOR):
    login(client, world.members[Role.ADMINISTRATOR])
    return client.post(reverse("api_keys:list"), {"name": name, "role": role})


@pytest.mark.django_db
def test_an_administrator_makes_a_key_and_sees_its_secret_once(world, client):
    response = _make_on_the_page(client, world)
    assert response.status_code == 200
    secret = KEY_SHAPE.search(response.content.decode()).group(1)
    assert client.get(reverse("api_keys:list"), headers=bearer(secret)).status_code == 200
    listed = client.get(reverse("api_keys:list")).content.decode()
    assert "Information system" in listed and "Never" in listed
    assert secret not in listed, "the secret was shown again"
    assert secret[:10] in listed, "the key's first characters tell it apart"
    # It works, and the page then says when it was last used.
    assert client.get("/api/v1/people", headers=bearer(secret)).status_code == 200
    assert "Never" not in client.get(reverse("api_keys:list")).content.decode()


@pytest.mark.django_db
def test_only_the_hash_of_a_key_is_kept(world):
    key, secret = make_key(world)
    row = ApiKey.objects.filter(pk=key.pk).values().get()
    assert row["secret_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert not any(secret in str(value) for value in row.values())
    assert not any(secret in str(entry.detail) for entry in AuditEntry.objects.all())


@pytest.mark.django_db
def test_only_administrators_reach_the_keys_page_or_revoke_a_key(world, client):
    for role, member in world.members.items():
        login(client, member)
        expected = 200 if role == Role.ADMINISTRATOR else 403
        assert client.get(reverse("api_keys:list")).status_code == expected, role
        made = client.post(reverse("api_keys:list"), {"name": f"by {role}", "role": Role.COORDINATOR})
        assert made.status_code == expected, role
    assert set(ApiKey.objects.values_list("name", flat=True)) == {"by administrator"}
    key = ApiKey.objects.get()
    for role, member in world.members.items():
        if role != Role.ADMINISTRATOR:
            login(client, member)
            assert client.post(reverse("api_keys:revoke", args=[key.pk])).status_code == 403, role
            assert client.get(reverse("api_keys:revoke", args=[key.pk])).status_code in (403, 405), role
    assert ApiKey.objects.get().revoked_at is None


@pytest.mark.django_db
def test_a_key_of_another_organisation_cannot_be_revoked(world, client):
    theirs, secret = make_key(world, organisation=world.other)
    login(client, world.members[Role.ADMINISTRATOR])
    assert client.post(reverse("api_keys:revoke", args=[theirs.pk])).status_code == 404
    assert client.get("/api/v1/people", headers=bearer(secret)).status_code == 200


@pytest.mark.django_db
def test_bad_names_and_roles_are_refused_in_plain_words(world, client):
    response = _make_on_the_page(client, world, name="   ")
    assert response.status_code == 400
    assert "Please give the key a name" in response.content.decode() and "No key was made." in response.content.decode()
    _make_on_the_page(client, world, name="Twice")
    again = _make_on_the_page(client, world, name="Twice")
    assert "already in use" in again.content.decode()
    admin = world.members[Role.ADMINISTRATOR]
    for role in set(Role.values) - set(KEY_ROLES):
        with pytest.raises(ValidationError):
            api_key_create(actor=admin, name=f"a {role}", role=role)
    with pytest.raises(PermissionDenied):
        api_key_create(actor=world.coordinator, name="not mine to make", role=Role.COORDINATOR)
    assert ApiKey.objects.count() == 1


@pytest.mark.django_db
def test_a_revoked_key_is_refused_at_once(world, client):
    key, secret = make_key(world)
    assert client.get("/api/v1/people", headers=bearer(secret)).status_code == 200
    login(client, world.members[Role.ADMINISTRATOR])
    page = client.post(reverse("api_keys:revoke", args=[key.pk]), follow=True).content.decode()
    assert "is revoked" in page
    client.logout()
    refused = client.get("/api/v1/people", headers=bearer(secret))
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]
    assert refused["WWW-Authenticate"] == "Bearer"


@pytest.mark.django_db
def test_no_key_a_wrong_key_or_a_signed_in_browser_is_refused(world, client):
    assert "needs an API key" in client.get("/api/v1/people").json()["detail"]
    assert "not known" in client.get("/api/v1/people", headers=bearer("att_wrong")).json()["detail"]
    login(client, world.coordinator)  # a session is not a key
    assert client.get("/api/v1/people").status_code == 401


@pytest.mark.django_db
def test_a_key_over_its_limit_is_told_when_to_try_again(world, client, settings):
    settings.API_REQUESTS_PER_MINUTE = 3
    key, secret = make_key(world)
    answers = [client.get("/api/v1/people", headers=bearer(secret)) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert 1 <= int(answers[-1]["Retry-After"]) <= 60
    assert "wait" in answers[-1].json()["detail"]
    other_key, other_secret = make_key(world, name="another")
    assert client.get("/api/v1/people", headers=bearer(other_secret)).status_code == 200, "each key has its own limit"


@pytest.mark.django_db
def test_the_limit_is_counted_in_the_database_so_every_server_process_shares_it(world, client, settings):
    """Another process's requests reach this one only through the database: requests counted there (as the
    other web server process would) use up this key's minute here too."""
    settings.API_REQUESTS_PER_MINUTE = 5
    key, secret = make_key(world)
    assert client.get("/api/v1/people", headers=bearer(secret)).status_code == 200
    ApiKey.objects.filter(pk=key.pk).update(window_requests=5)
    assert client.get("/api/v1/people", headers=bearer(secret)).status_code == 429
    # A new minute starts the count again.
    ApiKey.objects.filter(pk=key.pk).update(window_started_at=timezone.now() - timezone.timedelta(minutes=2))
    assert client.get("/api/v1/people", headers=bearer(secret)).status_code == 200


@pytest.mark.django_db
def test_every_request_with_a_key_is_in_the_audit_trail_under_the_keys_name(world, client):
    key, secret = make_key(world, name="Census export")
    paths = ["/api/v1/people", f"/api/v1/people/{world.mine.pk}", f"/api/v1/people/{world.foreign.pk}"]
    for path in paths:
        client.get(path, headers=bearer(secret))
    entries = AuditEntry.objects.filter(action="api.request").order_by("pk")
    assert [e.detail["path"] for e in entries] == paths
    assert {e.actor_id for e in entries} == {key.user_id}
    assert {e.organisation_id for e in entries} == {world.school.pk}
    assert str(entries[0].actor) == "API key “Census export”"
    assert AuditEntry.objects.filter(action="details.read", learner_id=world.mine.pk, actor_id=key.user_id).count() == 1
    login(client, world.members[Role.ADMINISTRATOR])
    assert "Census export" in client.get(reverse("audit")).content.decode()


@pytest.mark.django_db
def test_a_keys_user_can_never_sign_in_and_is_not_one_of_the_staff(world):
    key, _ = make_key(world)
    user = get_user_model().objects.get(pk=key.user_id)
    assert not user.has_usable_password() and not user.is_active
    assert key.user_id not in set(staff_of(world.school).values_list("pk", flat=True))

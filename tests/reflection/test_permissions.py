import pytest
from django.urls import resolve, reverse

from attunement.codings.models import CodingPass, EthogramCode
from attunement.codings.selectors import ethogram_code_get, ethogram_codes
from attunement.codings.services import ethogram_code_edit_token
from attunement.learners.policies import learner_policy
from attunement.organisations.models import AuditEntry, Role

from ..conftest import login
from ..test_isolation import all_named_routes, records_of
from .conftest import a_pass, a_session, small_events, upload, url

SEES = {Role.PRACTITIONER, Role.THERAPIST, Role.COORDINATOR, Role.MANAGER, Role.ADMINISTRATOR}
LEADERS = {Role.COORDINATOR, Role.MANAGER, Role.ADMINISTRATOR}


def reflection_records(world, learner, actor):
    """What tests/test_isolation.py's records_of needs for these pages (to be merged into it)."""
    session = a_session(world, learner, actor)
    coding_pass = a_pass(world, session, small_events(), actor=actor, title="Secret pass")
    code = ethogram_codes(actor=actor).first()
    return {"session_id": session.pk, "pass_id": coding_pass.pk, "code_id": code.pk}


@pytest.mark.django_db
class TestWhoSeesWhat:
    @pytest.mark.parametrize("role", Role.values)
    def test_each_role_on_its_own_person(self, world, client, role):
        session = a_session(world)
        coding_pass = a_pass(world, session, small_events())
        login(client, world.members[role])
        expected = 200 if role in SEES else (403 if role == Role.FAMILY else 404)
        for name, extra in [("passes", {}), ("pass", {"pass_id": coding_pass.pk}), ("agreement", {})]:
            assert client.get(url(name, session, **extra)).status_code == expected, name
        assert client.get(url("import", session)).status_code == expected

    def test_another_organisation_is_not_found(self, world, client):
        session = a_session(world, world.foreign, world.other_coordinator)
        coding_pass = a_pass(world, session, small_events(), actor=world.other_coordinator)
        login(client, world.coordinator)
        for name, extra in [
            ("passes", {}),
            ("pass", {"pass_id": coding_pass.pk}),
            ("export", {"pass_id": coding_pass.pk}),
        ]:
            response = client.get(url(name, session, **extra))
            assert response.status_code == 404 and b"Secret" not in response.content
        assert client.post(url("delete", session, pass_id=coding_pass.pk)).status_code == 404
        assert client.post(url("import", session), {"file": upload(b"time,code\n1,x\n")}).status_code == 404
        assert CodingPass.objects.filter(pk=coding_pass.pk).exists()

    def test_a_pass_is_only_found_under_its_own_session(self, world, client):
        session, other = a_session(world), a_session(world)
        coding_pass = a_pass(world, session, small_events())
        login(client, world.practitioner)
        assert client.get(url("pass", other, pass_id=coding_pass.pk)).status_code == 404

    def test_a_session_is_only_found_under_its_own_person(self, world, client):
        session = a_session(world, world.unassigned, world.coordinator)
        login(client, world.coordinator)
        wrong = reverse("reflection:passes", kwargs={"learner_id": world.mine.pk, "session_id": session.pk})
        assert client.get(wrong).status_code == 404

    def test_family_cannot_import(self, world, client):
        session = a_session(world)
        login(client, world.members[Role.FAMILY])
        assert client.post(url("import", session), {"file": upload(b"time,code\n1,x\n")}).status_code == 403
        assert not CodingPass.objects.exists()


@pytest.mark.django_db
class TestDeleting:
    def test_the_coder_deletes_their_pass_and_it_is_audited(self, world, client):
        session = a_session(world)
        coding_pass = a_pass(world, session, small_events())
        login(client, world.practitioner)
        response = client.post(url("delete", session, pass_id=coding_pass.pk), follow=True)
        assert "is deleted" in response.content.decode()
        assert not CodingPass.objects.exists()
        assert AuditEntry.objects.filter(action="coding_pass.deleted", target_id=coding_pass.pk).exists()

    def test_someone_else_may_not_delete_it(self, world, client):
        session = a_session(world)
        coding_pass = a_pass(world, session, small_events())
        login(client, world.coordinator)
        assert b"Delete" not in client.get(url("passes", session)).content
        assert client.post(url("delete", session, pass_id=coding_pass.pk)).status_code == 403
        assert CodingPass.objects.exists()

    def test_delete_is_a_post(self, world, client):
        session = a_session(world)
        coding_pass = a_pass(world, session, small_events())
        login(client, world.practitioner)
        assert client.get(url("delete", session, pass_id=coding_pass.pk)).status_code == 405


@pytest.mark.django_db
class TestEthogram:
    def test_it_is_set_up_once_from_the_default(self, world):
        codes = list(ethogram_codes(actor=world.coordinator))
        assert len(codes) == 14 and codes[0].key == "L-looks" and codes[0].shortcut == "a"
        ethogram_codes(actor=world.practitioner)
        assert EthogramCode.objects.filter(organisation=world.school).count() == 14

    @pytest.mark.parametrize("role", Role.values)
    def test_who_sees_and_changes_it(self, world, client, role):
        login(client, world.members[role])
        response = client.get(reverse("reflection:ethogram"))
        assert response.status_code == (200 if role in SEES else 403)
        if role in SEES:
            assert (b"Add a code" in response.content) == (role in LEADERS)
        data = {"key": "L-claps", "name": "Learner claps", "subject": "learner", "kind": "point", "shortcut": "z"}
        response = client.post(reverse("reflection:ethogram"), data)
        assert response.status_code == (302 if role in LEADERS else 403)
        assert EthogramCode.objects.filter(key="L-claps").exists() == (role in LEADERS)

    def test_a_leader_renames_retires_and_restores_a_code(self, world, client):
        login(client, world.members[Role.MANAGER])
        code = ethogram_codes(actor=world.coordinator).get(key="L-smiles")
        change = reverse("reflection:ethogram_code_change", kwargs={"code_id": code.pk})
        version = ethogram_code_edit_token(code)
        client.post(change, {"action": "change", "name": "Learner beams", "shortcut": "x", "version": version})
        code.refresh_from_db()
        assert (code.key, code.name, code.shortcut) == ("L-smiles", "Learner beams", "x")
        client.post(change, {"action": "retire"})
        code.refresh_from_db()
        assert code.is_retired
        page = client.get(reverse("reflection:ethogram")).content.decode()
        assert "Retired" in page
        client.post(change, {"action": "restore"})
        code.refresh_from_db()
        assert not code.is_retired
        assert AuditEntry.objects.filter(action="ethogram_code.retired", target_id=code.pk).exists()

    def test_shortcut_keys_are_unique_among_codes_in_use(self, world, client):
        login(client, world.coordinator)
        data = {"key": "L-claps", "name": "Learner claps", "subject": "learner", "kind": "point", "shortcut": "a"}
        response = client.post(reverse("reflection:ethogram"), data)
        assert response.status_code == 400
        assert "already the shortcut for Learner looks at face" in response.content.decode()
        code = ethogram_codes(actor=world.coordinator).get(key="L-smiles")
        change = reverse("reflection:ethogram_code_change", kwargs={"code_id": code.pk})
        data = {"action": "change", "name": "Smiles", "shortcut": "a", "version": ethogram_code_edit_token(code)}
        page = client.post(change, data, follow=True).content
        assert "Nothing was changed" in page.decode()
        code.refresh_from_db()
        assert code.shortcut == "d"

    def test_a_key_is_never_reused(self, world, client):
        login(client, world.coordinator)
        data = {"key": "l-looks", "name": "Again", "subject": "learner", "kind": "point", "shortcut": ""}
        response = client.post(reverse("reflection:ethogram"), data)
        assert response.status_code == 400 and "already a code with the key" in response.content.decode()

    def test_another_organisations_code_is_not_found(self, world, client):
        foreign = ethogram_codes(actor=world.other_coordinator).first()
        login(client, world.coordinator)
        change = reverse("reflection:ethogram_code_change", kwargs={"code_id": foreign.pk})
        assert client.post(change, {"action": "retire"}).status_code == 404
        assert client.get(change).status_code == 405
        foreign.refresh_from_db()
        assert not foreign.is_retired
        with pytest.raises(EthogramCode.DoesNotExist):
            ethogram_code_get(actor=world.coordinator, code_id=foreign.pk)


@pytest.mark.django_db
def test_the_url_walk_over_these_pages_matches_the_policy(world, client):
    """The walk of tests/test_isolation.py, over the reflection pages only, with the records they need."""
    people = {
        "own": (world.mine, world.practitioner),
        "same organisation": (world.unassigned, world.coordinator),
        "other organisation": (world.foreign, world.other_coordinator),
    }
    records = {
        label: {**records_of(world, learner, author), **reflection_records(world, learner, author)}
        for label, (learner, author) in people.items()
    }
    routes = [(n, p) for n, p in all_named_routes() if n.startswith("reflection:") and "learner_id" in p]
    assert len(routes) == 8  # with saving who is who in a coding (reflection:pass_people)
    for role, member in world.members.items():
        login(client, member)
        for label, (learner, _) in people.items():
            for name, params in routes:
                target = reverse(name, kwargs={p: records[label][p] for p in params})
                action = resolve(target).func.learner_action
                visible = learner_policy.scope(member).filter(pk=learner.pk).exists()
                allowed = learner_policy.allows(member, action, learner)
                status = client.get(target).status_code
                expected = "allowed" if allowed else ("forbidden" if visible else "not found")
                got = {403: "forbidden", 404: "not found"}.get(status, "allowed")
                assert got == expected, f"{role} on {label}'s {name}: policy says {expected}, page said {status}"
                if expected != "allowed":
                    assert client.post(target).status_code == status
    # Records the actor may not see: never reached, never named.
    for member, label in ((world.coordinator, "other organisation"), (world.practitioner, "same organisation")):
        login(client, member)
        for name, params in all_named_routes():
            if name.startswith("reflection:") and params:
                target = reverse(name, kwargs={p: records[label][p] for p in params})
                for method in (client.get, client.post):
                    response = method(target)
                    assert response.status_code in (403, 404, 405), f"{member.role} reached {label} at {target}"
                    assert b"Secret" not in response.content

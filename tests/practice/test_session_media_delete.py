"""Deleting a session's photo, voice note or clip taken by mistake: the member who added it, or a co-ordinator,
manager or administrator, deletes it from the session's page (the button asks first); the record and its file are
gone and the audit trail says so. Everyone else sees no button, and a sent form deletes nothing."""

from pathlib import Path

import pytest
from django.urls import reverse

from attunement.organisations.models import AuditEntry, Role
from attunement.organisations.templatetags.audit_words import describe
from attunement.practice.models import SessionMedia
from attunement.practice.services import session_record
from attunement.practice.session_media import may_delete_media, session_media_add
from attunement.privacy.models import LegalHold

from ..conftest import details, login
from .test_session_media import a_session, consent, photo_with_location, voice_note


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def a_photo(world, actor=None, learner=None):
    learner = learner or world.mine
    actor = actor or world.practitioner
    consent(learner)
    session = session_record(actor=actor, learner=learner, details=details()).session
    return session_media_add(actor=actor, session=session, kind="photo", upload=photo_with_location())


def delete_url(item):
    session = item.session
    return reverse(
        "practice:session_media_delete",
        kwargs={"learner_id": session.learner_id, "session_id": session.pk, "media_id": item.pk},
    )


def session_page(client, item) -> str:
    url = reverse("practice:session", kwargs={"learner_id": item.session.learner_id, "session_id": item.session_id})
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def still_there(item) -> bool:
    return SessionMedia.objects.filter(pk=item.pk).exists() and Path(item.file.path).exists()


def another_practitioner(world):
    """A practitioner who also works with Mina, but did not add the photo."""
    colleague = world.member(world.school, Role.PRACTITIONER, name="colleague")
    world.mine.assignments.create(user=colleague.user)
    return colleague


@pytest.mark.django_db
class TestDeleting:
    def test_the_member_who_added_a_photo_deletes_it_and_its_file_and_the_audit_trail_says_so(
        self, world, client, django_capture_on_commit_callbacks
    ):
        item = a_photo(world)
        path = Path(item.file.path)
        file_url = reverse("practice:media_file", kwargs={"media_id": item.pk})
        login(client, world.practitioner)
        page = session_page(client, item)
        assert f'action="{delete_url(item)}"' in page
        assert 'data-confirm="Delete this photo? It cannot be brought back."' in page
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(delete_url(item), follow=True)
        assert response.redirect_chain[-1][0] == reverse("practice:session", args=[world.mine.pk, item.session_id])
        assert "Photo deleted." in response.content.decode()
        assert file_url not in response.content.decode()
        assert not SessionMedia.objects.filter(pk=item.pk).exists()
        assert not path.exists(), "the photo's file was left on disk"
        assert client.get(file_url).status_code == 404
        entry = AuditEntry.objects.get(action="session_media.deleted")
        assert (entry.actor_id, entry.learner_id) == (world.practitioner.user_id, world.mine.pk)
        assert entry.target_id == item.pk
        assert entry.detail == {"kind": "photo"}
        login(client, world.coordinator)
        trail = client.get(reverse("audit")).content.decode()
        assert "deleted: photo of a session" in trail

    def test_a_voice_note_is_deleted_in_its_own_words(self, world, client, tmp_path):
        consent(world.mine)
        session = a_session(world)
        item = session_media_add(actor=world.practitioner, session=session, kind="audio", upload=voice_note(tmp_path))
        login(client, world.practitioner)
        assert 'data-confirm="Delete this voice note? It cannot be brought back."' in session_page(client, item)
        response = client.post(delete_url(item), follow=True)
        assert "Voice note deleted." in response.content.decode()
        assert not SessionMedia.objects.filter(pk=item.pk).exists()

    @pytest.mark.parametrize("role", [Role.COORDINATOR, Role.MANAGER, Role.ADMINISTRATOR])
    def test_those_who_see_the_whole_organisation_may_delete_what_someone_else_added(self, world, client, role):
        item = a_photo(world)
        login(client, world.members[role])
        assert f'action="{delete_url(item)}"' in session_page(client, item)
        response = client.post(delete_url(item), follow=True)
        assert "Photo deleted." in response.content.decode()
        assert not SessionMedia.objects.filter(pk=item.pk).exists()
        assert AuditEntry.objects.get(action="session_media.deleted").actor_id == world.members[role].user_id

    def test_pressing_delete_twice_says_it_is_already_gone(self, world, client):
        item = a_photo(world)
        login(client, world.practitioner)
        client.post(delete_url(item))
        response = client.post(delete_url(item), follow=True)
        assert "That was already deleted. Nothing more was changed." in response.content.decode()
        assert AuditEntry.objects.filter(action="session_media.deleted").count() == 1

    def test_while_a_legal_hold_is_in_place_nothing_is_deleted_and_the_page_says_why(self, world, client):
        item = a_photo(world)
        LegalHold.objects.create(learner=world.mine, reason="Complaint", placed_by=world.coordinator.user)
        login(client, world.practitioner)
        response = client.post(delete_url(item), follow=True)
        assert "Nothing was deleted. A legal hold is in place" in response.content.decode()
        assert still_there(item)
        assert not AuditEntry.objects.filter(action="session_media.deleted").exists()


@pytest.mark.django_db
class TestRefusals:
    def test_another_practitioner_and_a_therapist_who_work_with_the_person_see_no_button_and_are_refused(
        self, world, client, django_capture_on_commit_callbacks
    ):
        item = a_photo(world)
        for member in (another_practitioner(world), world.members[Role.THERAPIST]):
            login(client, member)
            page = session_page(client, item)
            assert reverse("practice:media_file", kwargs={"media_id": item.pk}) in page  # they do see the photo
            assert delete_url(item) not in page and "Delete this photo" not in page
            with django_capture_on_commit_callbacks(execute=True):
                assert client.post(delete_url(item)).status_code == 403
            assert still_there(item), member.role
        assert not AuditEntry.objects.filter(action="session_media.deleted").exists()

    def test_a_family_member_sees_no_button_and_is_refused(self, world, client):
        item = a_photo(world)
        consent(world.mine, "family")
        family = world.members[Role.FAMILY]
        login(client, family)
        portal = client.get(reverse("practice:family_person", kwargs={"learner_id": world.mine.pk})).content.decode()
        assert reverse("practice:media_file", kwargs={"media_id": item.pk}) in portal
        assert delete_url(item) not in portal and "Delete" not in portal
        assert client.post(delete_url(item)).status_code == 403
        assert still_there(item)

    def test_an_external_viewer_and_staff_who_do_not_work_with_the_person_are_not_told_it_exists(self, world, client):
        item = a_photo(world)
        for member in (world.members[Role.EXTERNAL], world.other_coordinator):
            login(client, member)
            assert client.post(delete_url(item)).status_code == 404, member.role
        unassigned = a_photo(world, actor=world.coordinator, learner=world.unassigned)
        login(client, world.practitioner)
        assert client.post(delete_url(unassigned)).status_code == 404
        assert still_there(item) and still_there(unassigned)

    def test_signed_out_the_form_goes_to_the_sign_in_page_and_nothing_is_deleted(self, world, client):
        item = a_photo(world)
        response = client.post(delete_url(item))
        assert response.status_code == 302 and reverse("account_login") in response["Location"]
        assert still_there(item)

    def test_opening_the_address_deletes_nothing(self, world, client):
        item = a_photo(world)
        login(client, world.practitioner)
        response = client.get(delete_url(item))
        assert response.status_code == 405 and response["Allow"] == "POST"
        assert still_there(item)

    def test_another_organisations_media_is_not_found_by_any_address(self, world, client):
        theirs = a_photo(world, actor=world.other_coordinator, learner=world.foreign)
        mine = a_photo(world)
        login(client, world.coordinator)
        assert client.post(delete_url(theirs)).status_code == 404
        # Their photo's number under one of our own sessions is not found either.
        own_address = reverse(
            "practice:session_media_delete",
            kwargs={"learner_id": world.mine.pk, "session_id": mine.session_id, "media_id": theirs.pk},
        )
        assert client.post(own_address).status_code == 404
        assert still_there(theirs) and still_there(mine)

    def test_a_photo_is_deleted_only_through_the_session_it_belongs_to(self, world, client):
        item = a_photo(world)
        other_session = a_session(world)
        login(client, world.practitioner)
        wrong = reverse(
            "practice:session_media_delete",
            kwargs={"learner_id": world.mine.pk, "session_id": other_session.pk, "media_id": item.pk},
        )
        assert client.post(wrong).status_code == 404
        assert still_there(item)

    def test_once_the_adder_no_longer_works_with_the_person_they_may_not_delete(self, world):
        item = a_photo(world)
        assert may_delete_media(world.practitioner, item)
        world.mine.assignments.filter(user=world.practitioner.user).delete()
        assert not may_delete_media(world.practitioner, item)


def test_the_audit_trail_names_the_kind_in_plain_words():
    assert describe("session_media.deleted", {"kind": "photo"}) == "deleted: photo of a session"
    assert describe("session_media.deleted", {"kind": "audio"}) == "deleted: voice note of a session"
    assert describe("session_media.added", {"kind": "clip"}) == "added: short clip of a session"
    assert describe("session_media.read", {}) == "looked at: photo, voice note or clip of a session"

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db.models import Q
from django.utils import timezone

from attunement.learners.models import Assignment, CommunicationProfile, KeyPerson, Learner, Plan, PlanOutcome
from attunement.learners.photos import replace_photo
from attunement.organisations.models import AuditEntry, Role
from attunement.practice.models import Fundamental, HomeObservation, ObservedBehaviour, ProgressReview, Session
from attunement.practice.services import RatingInput, review_record, session_record
from attunement.privacy.models import Consent, LegalHold
from attunement.privacy.services import legal_hold_lift, legal_hold_place
from attunement.records.services import learner_erase, subject_access_export

from ..conftest import details
from .conftest import a_consent, png, today

RECORD_KINDS = (
    "person",
    "communication_profile",
    "key_people",
    "assignments",
    "plans",
    "sessions",
    "progress_reviews",
    "consents",
    "legal_holds",
    "home_observations",
    "audit_entries",
)


def everything_about(world, learner):
    """One record of every kind about `learner`."""
    replace_photo(learner, png())
    CommunicationProfile.objects.filter(learner=learner).update(what_they_enjoy="Bubbles and the drum")
    KeyPerson.objects.create(learner=learner, name="Ruth", relationship="Mum")
    plan = Plan.objects.create(learner=learner, kind="ehcp", title="Year 4 EHCP")
    outcome = PlanOutcome.objects.create(plan=plan, text="Takes turns with an adult")
    fundamental = Fundamental.objects.filter(organisation=learner.organisation).first()
    session = session_record(
        actor=world.coordinator,
        learner=learner,
        details=details(
            what_happened="Echoed her hums",
            fundamental_ids=[fundamental.pk],
            outcome_ids=[outcome.pk],
            behaviours=[("Looked at my face", "new")],
            partner_ids=[world.practitioner.user_id],
        ),
    ).session
    scale = learner.organisation.progress_scale
    review_record(
        actor=world.coordinator,
        learner=learner,
        scale=scale,
        reviewed_on=today(),
        summary="A good term",
        ratings=[
            RatingInput(level_id=scale.levels.first().pk, fundamental_id=fundamental.pk, evidence_ids=[session.pk])
        ],
    )
    a_consent(world, learner)
    HomeObservation.objects.create(learner=learner, observed_on=today(), text="Sang in the bath")
    legal_hold_place(actor=world.coordinator, learner=learner, reason="Complaint under way")
    legal_hold_lift(actor=world.coordinator, learner=learner)
    return session


@pytest.mark.django_db
class TestSubjectAccessExport:
    def test_the_zip_holds_every_kind_of_record_a_readable_summary_and_the_photo(self, world):
        everything_about(world, world.mine)
        exported = subject_access_export(actor=world.coordinator, learner=world.mine)
        assert exported.filename.startswith(f"subject-access-{world.mine.pk}-") and "Mina" not in exported.filename
        archive = zipfile.ZipFile(io.BytesIO(exported.content))
        assert {"README.txt", "data.json", "summary.html", "media/photo.jpg"} <= set(archive.namelist())
        data = json.loads(archive.read("data.json"))
        for kind in RECORD_KINDS:
            assert data[kind], f"the export has no {kind}"
        assert data["person"]["first_name"] == "Mina" and data["person"]["photo"] == "media/photo.jpg"
        assert data["key_people"][0]["name"] == "Ruth"
        session = data["sessions"][0]
        assert session["what_happened"] == "Echoed her hums"
        assert [(b["description"], b["novelty"]) for b in session["behaviours"]] == [
            ("Looked at my face", "Never seen before")
        ]
        assert session["fundamentals"] and session["partners"] and session["plan_outcomes"]
        assert data["progress_reviews"][0]["ratings"][0]["evidence_session_ids"] == [session["id"]]
        assert data["plans"][0]["outcomes"][0]["text"] == "Takes turns with an adult"
        assert data["consents"][0]["status_today"] == "Current"
        assert "consent.recorded" in {e["action"] for e in data["audit_entries"]}
        summary = archive.read("summary.html").decode()
        assert "Mina Test" in summary and "Echoed her hums" in summary and "Bubbles and the drum" in summary
        assert "Sang in the bath" in summary and data["home_observations"][0]["text"] == "Sang in the bath"
        assert archive.read("media/photo.jpg")[:2] == b"\xff\xd8"
        assert AuditEntry.objects.filter(action="learner.subject_access_exported", learner_id=world.mine.pk).exists()

    def test_a_person_with_nothing_recorded_still_exports(self, world):
        data = json.loads(
            zipfile.ZipFile(
                io.BytesIO(subject_access_export(actor=world.coordinator, learner=world.unassigned).content)
            ).read("data.json")
        )
        assert data["sessions"] == [] and data["person"]["photo"] is None

    @pytest.mark.parametrize("role", [Role.MANAGER, Role.PRACTITIONER, Role.THERAPIST, Role.FAMILY])
    def test_only_coordinators_and_administrators_export(self, world, role):
        with pytest.raises(PermissionDenied):
            subject_access_export(actor=world.members[role], learner=world.mine)

    def test_nobody_exports_another_organisations_person(self, world):
        with pytest.raises(PermissionDenied):
            subject_access_export(actor=world.coordinator, learner=world.foreign)


def about(learner_id):
    return AuditEntry.objects.filter(Q(learner_id=learner_id) | Q(target_type="Learner", target_id=learner_id))


@pytest.mark.django_db
class TestErasure:
    def test_erasure_deletes_everything_and_leaves_one_nameless_entry(self, world, django_capture_on_commit_callbacks):
        everything_about(world, world.mine)
        subject_access_export(actor=world.coordinator, learner=world.mine)
        learner_id, photo = world.mine.pk, world.mine.photo.name
        assert default_storage.exists(photo)
        other_sessions = Session.objects.exclude(learner_id=learner_id).count()
        with django_capture_on_commit_callbacks(execute=True):
            entry = learner_erase(
                actor=world.members[Role.ADMINISTRATOR], learner=world.mine, typed_name=" mina  TEST "
            )
        assert not Learner.objects.filter(pk=learner_id).exists()
        for model in (ObservedBehaviour, ProgressReview, Plan, PlanOutcome, KeyPerson, Consent, LegalHold):
            assert not model.objects.exists(), f"a {model.__name__} about the person was left"
        assert not Session.objects.filter(learner_id=learner_id).exists()
        assert Session.objects.count() == other_sessions
        assert not Assignment.objects.filter(learner_id=learner_id).exists()
        assert not CommunicationProfile.objects.filter(learner_id=learner_id).exists()
        assert not default_storage.exists(photo)
        remaining = list(about(learner_id))
        assert remaining == [entry]
        assert entry.action == "learner.erased" and entry.learner_id is None and entry.target_id == learner_id
        assert entry.actor_id is not None
        for value in (entry.action, entry.target_type, str(entry)):
            assert "Mina" not in value

    def test_a_wrong_or_empty_name_erases_nothing(self, world):
        for typed in ("Una Test", "Mina", ""):
            with pytest.raises(ValidationError) as error:
                learner_erase(actor=world.coordinator, learner=world.mine, typed_name=typed)
            assert "typed_name" in error.value.message_dict
        assert Learner.objects.filter(pk=world.mine.pk).exists()

    def test_a_legal_hold_stops_erasure(self, world):
        legal_hold_place(actor=world.coordinator, learner=world.mine, reason="Claim under way")
        with pytest.raises(ValidationError, match="legal hold"):
            learner_erase(actor=world.coordinator, learner=world.mine, typed_name="Mina Test")
        assert Learner.objects.filter(pk=world.mine.pk).exists()

    @pytest.mark.parametrize("role", [Role.MANAGER, Role.PRACTITIONER, Role.THERAPIST, Role.FAMILY, Role.EXTERNAL])
    def test_only_coordinators_and_administrators_erase(self, world, role):
        with pytest.raises(PermissionDenied):
            learner_erase(actor=world.members[role], learner=world.mine, typed_name="Mina Test")
        assert Learner.objects.filter(pk=world.mine.pk).exists()

    def test_nobody_erases_another_organisations_person(self, world):
        with pytest.raises(PermissionDenied):
            learner_erase(actor=world.coordinator, learner=world.foreign, typed_name="Faro Test")
        assert Learner.objects.filter(pk=world.foreign.pk).exists()


@pytest.mark.django_db
def test_legal_holds_need_a_reason_and_only_one_is_in_place_at_a_time(world):
    with pytest.raises(ValidationError, match="say why"):
        legal_hold_place(actor=world.coordinator, learner=world.mine, reason="  ")
    legal_hold_place(actor=world.members[Role.MANAGER], learner=world.mine, reason="Complaint")
    with pytest.raises(ValidationError, match="already a legal hold"):
        legal_hold_place(actor=world.coordinator, learner=world.mine, reason="Again")
    legal_hold_lift(actor=world.coordinator, learner=world.mine)
    with pytest.raises(ValidationError, match="no legal hold"):
        legal_hold_lift(actor=world.coordinator, learner=world.mine)
    with pytest.raises(PermissionDenied):
        legal_hold_place(actor=world.practitioner, learner=world.mine, reason="Complaint")
    assert timezone.now() - LegalHold.objects.get().placed_at < timedelta(minutes=1)


@pytest.mark.django_db
def test_erasure_also_removes_the_admins_own_history_about_the_person(world):
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    from attunement.learners.models import Assignment
    from attunement.records.services import learner_erase

    link = Assignment.objects.filter(learner=world.mine).first()
    LogEntry.objects.create(
        user=world.coordinator.user,
        content_type=ContentType.objects.get_for_model(Assignment),
        object_id=str(link.pk),
        object_repr=str(link),
        action_flag=CHANGE,
    )
    learner_erase(actor=world.coordinator, learner=world.mine, typed_name="Mina Test")
    assert not LogEntry.objects.filter(object_repr__contains="Mina").exists()

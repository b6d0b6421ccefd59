import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from attunement.means import selectors
from attunement.means.models import Course, TrainingCompletion
from attunement.means.services import (
    course_add,
    course_edit_token,
    course_set_retired,
    course_update,
    create_default_courses,
    training_completion_record,
)
from attunement.means.vocabulary import DEFAULT_COURSES
from attunement.organisations.models import AuditEntry, Role

from ..conftest import login
from .conftest import a_completion, course_named, pdf, png, today

LEADERS = (Role.COORDINATOR, Role.MANAGER, Role.ADMINISTRATOR)
NOT_STAFF = (Role.FAMILY, Role.EXTERNAL)


def record(world, *, actor, staff, course="Induction", **overrides):
    values = {
        "completed_on": today() - timedelta(days=5),
        "provider": "In-house",
        "course": course_named(world.school, course) if isinstance(course, str) else course,
    }
    values.update(overrides)
    return training_completion_record(actor=actor, staff=staff, **values)


@pytest.mark.django_db
class TestCatalogue:
    def test_a_new_organisation_has_the_default_courses_in_order(self, world):
        create_default_courses(world.school)
        names = list(Course.objects.filter(organisation=world.school).values_list("name", flat=True))
        assert names == [name for name, _, _ in DEFAULT_COURSES]
        assert Course.objects.get(organisation=world.school, name="Yearly refresher").refresh_months == 12
        assert Course.objects.filter(organisation=world.other).count() == len(DEFAULT_COURSES)  # its own copy

    def test_a_renamed_catalogue_is_not_seeded_again(self, world):
        induction = Course.objects.get(organisation=world.school, name="Induction")
        course_update(
            actor=world.coordinator, course=induction, name="Staff induction", refresh_months=None, required=True
        )
        create_default_courses(world.school)
        assert not Course.objects.filter(organisation=world.school, name="Induction").exists()

    def test_leaders_add_change_and_retire_courses(self, world):
        for role in LEADERS:
            course = course_add(actor=world.members[role], name=f"Video reflection ({role})", refresh_months=24)
            assert course.organisation == world.school
        course = course_update(
            actor=world.coordinator, course=course, name="Video reflection", refresh_months=6, required=False
        )
        assert course.refresh_months == 6
        course_set_retired(actor=world.coordinator, course=course, retired=True)
        assert course not in selectors.courses(actor=world.coordinator)
        assert AuditEntry.objects.filter(action="course.retired", target_id=course.pk).exists()

    @pytest.mark.parametrize(
        ("name", "months", "words"),
        [
            ("  ", None, "give the course a name"),
            ("Induction", None, "already a course"),
            ("Mentoring", 0, "from 1 to 120"),
        ],
    )
    def test_bad_course_details_are_explained_and_nothing_is_saved(self, world, name, months, words):
        before = Course.objects.count()
        with pytest.raises(ValidationError) as error:
            course_add(actor=world.coordinator, name=name, refresh_months=months)
        assert words in str(error.value)
        assert Course.objects.count() == before

    @pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.THERAPIST, Role.FAMILY, Role.EXTERNAL])
    def test_others_cannot_change_the_catalogue(self, world, role):
        with pytest.raises(PermissionDenied):
            course_add(actor=world.members[role], name="Something")

    def test_another_organisations_course_cannot_be_changed(self, world):
        foreign = course_named(world.other, "Induction")
        with pytest.raises(PermissionDenied):
            course_update(actor=world.coordinator, course=foreign, name="Mine now", refresh_months=None, required=False)
        foreign.refresh_from_db()
        assert foreign.name == "Induction"


@pytest.mark.django_db
class TestRecordingTraining:
    def test_a_practitioner_records_their_own_training_with_a_certificate(self, world):
        completion = record(world, actor=world.practitioner, staff=world.practitioner, certificate=pdf("my cert.PDF"))
        assert completion.staff == world.practitioner and completion.certificate_type == "application/pdf"
        name = completion.certificate.name
        assert name.startswith(f"training-certificates/{world.school.pk}/") and name.endswith(".pdf")
        assert re.fullmatch(r"[0-9a-f]{32}\.pdf", name.rsplit("/", 1)[-1])  # nothing from the person or the file
        assert AuditEntry.objects.filter(action="training.recorded", target_id=completion.pk).exists()

    @pytest.mark.parametrize("role", LEADERS)
    def test_leaders_record_anyones_training(self, world, role):
        completion = record(world, actor=world.members[role], staff=world.practitioner, certificate=png())
        assert completion.certificate_type == "image/png" and completion.recorded_by == world.members[role].user

    @pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.THERAPIST])
    def test_other_staff_cannot_record_someone_elses(self, world, role):
        with pytest.raises(PermissionDenied):
            record(world, actor=world.members[role], staff=world.coordinator)
        assert not TrainingCompletion.objects.exists()

    @pytest.mark.parametrize("role", NOT_STAFF)
    def test_family_and_external_viewers_record_nothing(self, world, role):
        member = world.members[role]
        with pytest.raises((PermissionDenied, ValidationError)):
            record(world, actor=member, staff=member)
        assert not TrainingCompletion.objects.exists()

    def test_staff_of_another_organisation_and_its_courses_are_refused(self, world):
        with pytest.raises(PermissionDenied):
            record(world, actor=world.coordinator, staff=world.other_coordinator)
        with pytest.raises(PermissionDenied):
            record(
                world, actor=world.coordinator, staff=world.practitioner, course=course_named(world.other, "Induction")
            )
        assert not TrainingCompletion.objects.exists()

    @pytest.mark.parametrize(
        ("overrides", "field", "words"),
        [
            ({"completed_on": None}, "completed_on", "date the training was finished"),
            ({"completed_on": today() + timedelta(days=1)}, "completed_on", "in the future"),
            ({"completed_on": today() - timedelta(days=365 * 70)}, "completed_on", "more than 60 years ago"),
            ({"provider": "   "}, "provider", "who gave the training"),
            ({"provider": "x" * 201}, "provider", "under 200 characters"),
            ({"course": None}, "course", "choose the course"),
            ({"certificate": pdf(size=10 * 1024 * 1024 + 1)}, "certificate", "larger than 10 MB"),
            (
                {"certificate": SimpleUploadedFile("evil.pdf", b"MZ\x90\x00not a pdf")},
                "certificate",
                "PDF, a JPEG or a PNG",
            ),
        ],
    )
    def test_bad_input_is_explained_and_nothing_is_saved(self, world, settings, overrides, field, words):
        with pytest.raises(ValidationError) as error:
            record(world, actor=world.coordinator, staff=world.practitioner, **overrides)
        assert words in " ".join(error.value.message_dict[field])
        assert not TrainingCompletion.objects.exists()
        assert not list(settings.MEDIA_ROOT.rglob("*.*"))

    def test_a_retired_course_cannot_be_recorded(self, world):
        course = course_named(world.school, "Continuing Professional Development")
        course_set_retired(actor=world.coordinator, course=course, retired=True)
        with pytest.raises(ValidationError, match="no longer on the training list"):
            record(world, actor=world.coordinator, staff=world.practitioner, course=course)


@pytest.mark.django_db
class TestTrainingReads:
    def test_staff_see_their_own_training_and_leaders_everyones(self, world):
        mine = a_completion(world, world.practitioner)
        theirs = a_completion(world, world.members[Role.THERAPIST])
        assert list(selectors.completions_of(actor=world.practitioner, staff=world.practitioner)) == [mine]
        assert not selectors.completions_of(actor=world.practitioner, staff=world.members[Role.THERAPIST]).exists()
        for role in LEADERS:
            seen = {
                c.pk for c in selectors.completions_of(actor=world.members[role], staff=world.members[Role.THERAPIST])
            }
            assert seen == {theirs.pk}
        assert not selectors.completions_of(actor=world.other_coordinator, staff=world.practitioner).exists()

    def test_the_matrix_shows_done_due_soon_overdue_and_needed(self, world):
        a_completion(world, world.practitioner, course="Yearly refresher", days_ago=400)  # overdue
        a_completion(world, world.practitioner, course="Induction", days_ago=400)  # done, never refreshed
        a_completion(world, world.coordinator, course="Yearly refresher", days_ago=340)  # due soon
        matrix = selectors.training_matrix(actor=world.coordinator)
        names = [c.name for c in matrix["courses"]]
        states = {
            row["staff"].pk: dict(zip(names, (c["state"] for c in row["cells"]), strict=True)) for row in matrix["rows"]
        }
        assert states[world.practitioner.pk]["Yearly refresher"] == "overdue"
        assert states[world.practitioner.pk]["Induction"] == "done"
        assert states[world.coordinator.pk]["Yearly refresher"] == "due_soon"
        assert states[world.coordinator.pk]["Induction"] == "needed"
        assert states[world.coordinator.pk]["Continuing Professional Development"] == "not_done"
        assert world.members[Role.FAMILY].pk not in states and world.other_coordinator.pk not in states
        assert selectors.training_matrix(actor=world.practitioner) == {"courses": [], "rows": []}

    def test_the_latest_completion_counts(self, world):
        a_completion(world, world.practitioner, course="Yearly refresher", days_ago=800)
        a_completion(world, world.practitioner, course="Yearly refresher", days_ago=20)
        row = next(r for r in selectors.my_training(actor=world.practitioner) if r["course"].name == "Yearly refresher")
        assert row["state"] == "done" and row["done_on"] == today() - timedelta(days=20)

    def test_changing_the_refresh_period_moves_the_due_date_of_past_training(self, world):
        a_completion(world, world.practitioner, course="Induction", days_ago=100)
        course_update(
            actor=world.coordinator,
            course=course_named(world.school, "Induction"),
            name="Induction",
            refresh_months=3,
            required=True,
        )
        row = next(r for r in selectors.my_training(actor=world.practitioner) if r["course"].name == "Induction")
        assert row["state"] == "overdue"


def matrix_url():
    return reverse("means:training_matrix")


@pytest.mark.django_db
class TestTrainingPages:
    def test_a_practitioner_records_their_own_training_on_the_page(self, world, client):
        login(client, world.practitioner)
        page = client.get(reverse("means:training_record")).content.decode()
        assert 'name="staff"' not in page and "Yearly refresher" in page
        response = client.post(
            reverse("means:training_record"),
            {
                "course": course_named(world.school, "Yearly refresher").pk,
                "completed_on": (today() - timedelta(days=2)).isoformat(),
                "provider": "In-house",
                "certificate": pdf(),
            },
            follow=True,
        )
        assert response.redirect_chain[-1][0] == reverse("means:training")
        page = response.content.decode()
        assert "is saved in your training" in page and "Download" in page
        assert TrainingCompletion.objects.get().staff == world.practitioner

    def test_a_practitioner_cannot_post_someone_elses_training(self, world, client):
        login(client, world.practitioner)
        client.post(
            reverse("means:training_record"),
            {
                "staff": world.coordinator.pk,
                "course": course_named(world.school, "Induction").pk,
                "completed_on": today().isoformat(),
                "provider": "In-house",
            },
        )
        assert TrainingCompletion.objects.get().staff == world.practitioner  # the staff field is ignored

    def test_bad_input_on_the_page_answers_400_and_keeps_what_was_typed(self, world, client):
        login(client, world.coordinator)
        response = client.post(
            reverse("means:training_record"),
            {
                "staff": world.practitioner.pk,
                "course": course_named(world.school, "Induction").pk,
                "completed_on": (today() + timedelta(days=3)).isoformat(),
                "provider": "Kept provider name",
                "certificate": png(),
            },
        )
        page = response.content.decode()
        assert response.status_code == 400
        assert "Nothing was saved" in page and "in the future" in page and "Kept provider name" in page
        assert not TrainingCompletion.objects.exists()

    def test_a_leader_records_for_someone_and_sees_the_matrix(self, world, client):
        login(client, world.members[Role.MANAGER])
        response = client.post(
            reverse("means:training_record"),
            {
                "staff": world.practitioner.pk,
                "course": course_named(world.school, "Yearly refresher").pk,
                "completed_on": (today() - timedelta(days=400)).isoformat(),
                "provider": "Intensive Interaction Institute",
            },
            follow=True,
        )
        assert response.redirect_chain[-1][0] == matrix_url()
        page = response.content.decode()
        assert "Overdue" in page and "Practitioner" in page

    @pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.THERAPIST])
    def test_the_matrix_and_catalogue_are_for_leaders(self, world, client, role):
        login(client, world.members[role])
        assert client.get(matrix_url()).status_code == 403
        assert client.get(reverse("means:courses")).status_code == 403
        assert client.get(reverse("means:training")).status_code == 200

    def test_the_catalogue_page_adds_and_changes_courses(self, world, client):
        login(client, world.coordinator)
        assert client.get(reverse("means:courses")).status_code == 200
        client.post(reverse("means:courses"), {"name": "Video reflection", "refresh_months": "24"})
        course = Course.objects.get(name="Video reflection")
        client.post(
            reverse("means:course_change", args=[course.pk]),
            {
                "action": "save",
                f"course-{course.pk}-name": "Video reflection",
                f"course-{course.pk}-refresh_months": "6",
                f"course-{course.pk}-version": course_edit_token(course),
            },
        )
        course.refresh_from_db()
        assert course.refresh_months == 6
        client.post(reverse("means:course_change", args=[course.pk]), {"action": "retire"})
        course.refresh_from_db()
        assert course.is_retired
        response = client.post(reverse("means:courses"), {"name": "Induction"})
        assert response.status_code == 400 and "already a course" in response.content.decode()

    def test_another_organisations_course_is_not_found(self, world, client):
        login(client, world.coordinator)
        foreign = course_named(world.other, "Induction")
        assert client.post(reverse("means:course_change", args=[foreign.pk]), {"action": "retire"}).status_code == 404
        foreign.refresh_from_db()
        assert not foreign.is_retired


@pytest.mark.django_db
class TestCertificateDownload:
    def url(self, completion):
        return reverse("means:certificate", args=[completion.pk])

    def test_the_owner_and_leaders_download_it_and_each_download_is_audited(self, world, client):
        completion = a_completion(world, world.practitioner, certificate=pdf())
        for member in (
            world.practitioner,
            world.coordinator,
            world.members[Role.MANAGER],
            world.members[Role.ADMINISTRATOR],
        ):
            login(client, member)
            response = client.get(self.url(completion))
            assert response.status_code == 200
            assert b"".join(response.streaming_content).startswith(b"%PDF-")
            assert response["Content-Type"] == "application/pdf"
            assert response["Content-Disposition"].startswith("attachment;")
            assert "no-store" in response["Cache-Control"]
            assert AuditEntry.objects.filter(
                action="training_certificate.read", actor=member.user, target_id=completion.pk
            ).exists()

    def test_other_staff_do_not_find_it(self, world, client):
        completion = a_completion(world, world.practitioner, certificate=pdf())
        login(client, world.members[Role.THERAPIST])
        assert client.get(self.url(completion)).status_code == 404

    @pytest.mark.parametrize("role", NOT_STAFF)
    def test_family_and_external_viewers_are_refused(self, world, client, role):
        completion = a_completion(world, world.practitioner, certificate=pdf())
        login(client, world.members[role])
        assert client.get(self.url(completion)).status_code == 403

    def test_another_organisation_does_not_find_it(self, world, client):
        completion = a_completion(world, world.practitioner, certificate=pdf())
        login(client, world.other_coordinator)
        assert client.get(self.url(completion)).status_code == 404

    def test_no_certificate_is_not_found(self, world, client):
        completion = a_completion(world, world.practitioner)
        login(client, world.practitioner)
        assert client.get(self.url(completion)).status_code == 404

    def test_the_file_is_not_served_as_public_media(self, world, client):
        completion = a_completion(world, world.practitioner, certificate=pdf())
        login(client, world.practitioner)
        assert client.get(f"/media/{completion.certificate.name}").status_code == 404

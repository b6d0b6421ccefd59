import pytest
from django.urls import reverse

from attunement.learners.models import Learner
from attunement.learners.services import plan_edit_token

from ..conftest import login


@pytest.mark.django_db
class TestThePerson:
    def test_a_coordinator_adds_a_person_with_key_people_and_staff(self, world, client):
        login(client, world.coordinator)
        response = client.post(
            reverse("learners:create"),
            {
                "first_name": "Ada",
                "last_name": "Lowe",
                "preferred_name": "Addie",
                "date_of_birth": "2015-03-02",
                "needs": ["autism", "ccn"],
                "assigned": [world.practitioner.user_id],
                "people-TOTAL_FORMS": "2",
                "people-INITIAL_FORMS": "0",
                "people-0-name": "Ruth",
                "people-0-relationship": "Mum",
            },
        )
        ada = Learner.objects.get(first_name="Ada")
        assert response.url == reverse("learners:profile_edit", kwargs={"learner_id": ada.pk})
        assert ada.organisation == world.school and ada.needs == ["autism", "ccn"]
        assert [p.name for p in ada.key_people.all()] == ["Ruth"]
        login(client, world.practitioner)
        assert client.get(reverse("learners:about", kwargs={"learner_id": ada.pk})).status_code == 200

    def test_a_future_birthday_is_refused_and_nothing_is_saved(self, world, client):
        login(client, world.coordinator)
        response = client.post(
            reverse("learners:create"),
            {
                "first_name": "Ada",
                "last_name": "Lowe",
                "date_of_birth": "2999-01-01",
                "people-TOTAL_FORMS": "0",
                "people-INITIAL_FORMS": "0",
            },
        )
        assert "cannot be in the future" in response.content.decode()
        assert not Learner.objects.filter(first_name="Ada").exists()

    def test_the_about_me_page_reads_as_one_page_profile(self, world, client):
        login(client, world.practitioner)
        url = reverse("learners:profile_edit", kwargs={"learner_id": world.mine.pk})
        client.post(
            url,
            {
                "version": "1",
                "what_they_enjoy": "Bubbles",
                "signs_had_enough": "Turns away",
                "what_to_avoid": "Loud voices",
            },
        )
        page = client.get(reverse("learners:about", kwargs={"learner_id": world.mine.pk})).content.decode()
        for words in ("What I enjoy", "Bubbles", "How you can tell I have had enough", "Turns away", "Please avoid"):
            assert words in page

    def test_two_people_editing_one_profile_do_not_overwrite_each_other(self, world, client):
        url = reverse("learners:profile_edit", kwargs={"learner_id": world.mine.pk})
        login(client, world.coordinator)
        client.post(url, {"version": "1", "what_they_enjoy": "Swings"})
        login(client, world.practitioner)
        response = client.post(url, {"version": "1", "what_they_enjoy": "Water play"})
        page = response.content.decode()
        assert response.status_code == 409
        assert "Someone else changed this profile" in page and "Water play" in page
        world.mine.profile.refresh_from_db()
        assert world.mine.profile.what_they_enjoy == "Swings"

    def test_plans_keep_retired_outcomes_linked(self, world, client):
        login(client, world.coordinator)
        client.post(
            reverse("learners:plan_create", kwargs={"learner_id": world.mine.pk}),
            {"kind": "ehcp", "new_outcomes": "Will take turns\nWill use eye contact to ask for more"},
        )
        plan = world.mine.plans.get()
        first, second = plan.outcomes.all()
        client.post(
            reverse("learners:plan_edit", kwargs={"learner_id": world.mine.pk, "plan_id": plan.pk}),
            {
                "kind": "ehcp",
                "is_active": "on",
                f"outcome_{first.pk}": "",
                f"outcome_{second.pk}": second.text,
                "version": plan_edit_token(plan),
            },
        )
        first.refresh_from_db()
        assert not first.is_active and first.text == "Will take turns"
        page = client.get(reverse("learners:plans", kwargs={"learner_id": world.mine.pk})).content.decode()
        assert "retired" in page

    def test_a_practitioner_cannot_add_people_or_edit_details(self, world, client):
        login(client, world.practitioner)
        assert client.get(reverse("learners:create")).status_code == 403
        assert client.get(reverse("learners:edit", kwargs={"learner_id": world.mine.pk})).status_code == 403

    def test_pages_need_a_login(self, client, world):
        response = client.get(reverse("learners:about", kwargs={"learner_id": world.mine.pk}))
        assert response.status_code == 302 and "/login/" in response.url


def picture_upload(name="me.jpg", size=(2000, 1500)):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make: must not survive
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.mark.django_db
class TestPhotos:
    def edit(self, client, world, **extra):
        data = {
            "first_name": "Mina",
            "last_name": "Test",
            "version": str(world.mine.version),
            "people-TOTAL_FORMS": "0",
            "people-INITIAL_FORMS": "0",
            **extra,
        }
        return client.post(reverse("learners:edit", kwargs={"learner_id": world.mine.pk}), data)

    def test_a_photo_is_made_small_without_metadata_and_shown_only_to_those_who_may_see_the_person(
        self, world, client, settings, tmp_path
    ):
        from PIL import Image

        settings.MEDIA_ROOT = tmp_path
        login(client, world.coordinator)
        assert self.edit(client, world, photo=picture_upload()).status_code == 302
        world.mine.refresh_from_db()
        with Image.open(world.mine.photo.path) as stored:
            assert max(stored.size) == 512
            assert 0x010F not in stored.getexif()
        url = reverse("learners:photo", kwargs={"learner_id": world.mine.pk})
        assert client.get(url).status_code == 200
        login(client, world.other_coordinator)
        assert client.get(url).status_code == 404

    def test_a_file_that_is_not_a_picture_is_refused_and_nothing_changes(self, world, client, settings, tmp_path):
        from django.core.files.uploadedfile import SimpleUploadedFile

        settings.MEDIA_ROOT = tmp_path
        login(client, world.coordinator)
        fake = SimpleUploadedFile("me.jpg", b"not really a picture", content_type="image/jpeg")
        response = self.edit(client, world, photo=fake, first_name="Changed")
        assert response.status_code == 200 and "image" in response.content.decode().lower()
        world.mine.refresh_from_db()
        assert world.mine.first_name == "Mina" and not world.mine.photo


@pytest.mark.django_db
class TestLeavingAndFamilyLinks:
    def post_edit(self, client, world, **extra):
        data = {
            "first_name": "Mina",
            "last_name": "Test",
            "version": str(world.mine.version),
            "people-TOTAL_FORMS": "0",
            "people-INITIAL_FORMS": "0",
            "still_supported": "on",
            **extra,
        }
        return client.post(reverse("learners:edit", kwargs={"learner_id": world.mine.pk}), data)

    def test_editing_details_keeps_everyone_who_is_linked(self, world, client):
        before = set(world.mine.assignments.values_list("user_id", flat=True))
        login(client, world.coordinator)
        assert self.post_edit(client, world, assigned=[world.coordinator.user_id]).status_code == 302
        assert set(world.mine.assignments.values_list("user_id", flat=True)) == before

    def test_unticking_still_supported_records_the_day_they_left(self, world, client):
        from django.utils import timezone

        login(client, world.coordinator)
        data = {k: v for k, v in {"still_supported": ""}.items()}
        response = self.post_edit(client, world, **data)
        assert response.status_code == 302
        world.mine.refresh_from_db()
        assert not world.mine.is_active and world.mine.left_on == timezone.localdate()


@pytest.mark.django_db
def test_people_who_have_left_can_still_be_found(world, client):
    world.unassigned.is_active = False
    world.unassigned.save()
    login(client, world.coordinator)
    assert "Una" not in client.get(reverse("learners:list")).content.decode()
    page = client.get(reverse("learners:list"), {"left": "1"}).content.decode()
    assert "Una" in page and "Left" in page

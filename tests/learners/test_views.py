import pytest
from django.urls import reverse

from attunement.learners.models import Learner

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
            {"kind": "ehcp", "is_active": "on", f"outcome_{first.pk}": "", f"outcome_{second.pk}": second.text},
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

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from attunement.organisations.models import Role
from attunement.practice.models import HomeObservation
from attunement.practice.services import RatingInput, review_record, session_record

from ..conftest import details, login


@pytest.fixture
def family(world):
    """A family member, linked to Mina, with agreement to share Mina's records with family."""
    from attunement.privacy.models import Consent

    Consent.objects.create(
        learner=world.mine,
        purpose="family",
        given_by="parent",
        giver_name="Mum",
        starts_on=timezone.localdate() - timedelta(days=10),
        review_on=timezone.localdate() + timedelta(days=300),
    )
    return world.members[Role.FAMILY]


@pytest.mark.django_db
class TestFamilyPortal:
    def test_a_family_member_sees_their_person_in_plain_words_without_staff_only_notes(self, world, family, client):
        session_record(
            actor=world.practitioner,
            learner=world.mine,
            details=details(
                what_happened="We sang her favourite song together.",
                how_i_did="I rushed the start again.",
                next_time="Wait longer before joining in.",
                ending="partner_ended",
                ending_reason="Her taxi arrived early",
                enjoyment=3,
                behaviours=[("Reached for my hand", "new")],
            ),
        )
        scale = world.school.progress_scale
        fundamental = scale.organisation.fundamentals.first()
        review_record(
            actor=world.practitioner,
            learner=world.mine,
            scale=scale,
            reviewed_on=timezone.localdate(),
            ratings=[RatingInput(level_id=scale.levels.get(label="Emerging").pk, fundamental_id=fundamental.pk)],
        )
        login(client, family)
        home = client.get(reverse("home"), follow=True)
        assert home.redirect_chain[-1][0] == reverse("practice:family_person", kwargs={"learner_id": world.mine.pk})
        page = home.content.decode()
        assert "We sang her favourite song together." in page
        assert "really enjoyed it" in page and "reached for my hand" in page
        assert f"{fundamental.name}</th><td><strong>Emerging</strong>" in page
        for staff_only in ("I rushed the start again.", "Wait longer before joining in.", "Her taxi arrived early"):
            assert staff_only not in page
        assert "Log a session" not in page

    def test_a_note_from_home_reaches_the_staff_marked_from_home(self, world, family, client):
        login(client, family)
        url = reverse("practice:family_note", kwargs={"learner_id": world.mine.pk})
        response = client.post(url, {"observed_on": timezone.localdate().isoformat(), "text": "Said 'ba' for bath!"})
        assert response.status_code == 302
        note = HomeObservation.objects.get()
        assert note.author == family.user
        login(client, world.practitioner)
        for page in ("practice:timeline", "learners:about"):
            html = client.get(reverse(page, kwargs={"learner_id": world.mine.pk})).content.decode()
            assert "From home" in html and "Said &#x27;ba&#x27; for bath!" in html

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"text": "   "}, "Please write what you noticed."),
            ({"observed_on": (timezone.localdate() + timedelta(days=2)).isoformat()}, "in the future"),
            ({"observed_on": "yesterday"}, "Enter a valid date"),
        ],
    )
    def test_a_bad_note_is_explained_and_not_sent(self, world, family, client, data, message):
        login(client, family)
        post = {"observed_on": timezone.localdate().isoformat(), "text": "Fine"} | data
        response = client.post(reverse("practice:family_note", kwargs={"learner_id": world.mine.pk}), post)
        assert response.status_code == 400 and message in response.content.decode()
        assert not HomeObservation.objects.exists()

    def test_family_never_reach_another_person_or_the_staff_pages(self, world, family, client):
        login(client, family)
        assert (
            client.get(reverse("practice:family_person", kwargs={"learner_id": world.unassigned.pk})).status_code == 404
        )
        assert client.get(reverse("practice:timeline", kwargs={"learner_id": world.mine.pk})).status_code == 403
        login(client, world.practitioner)
        assert client.get(reverse("practice:family_person", kwargs={"learner_id": world.mine.pk})).status_code == 403


@pytest.mark.django_db
def test_without_agreement_to_share_with_family_only_their_own_notes_show(world, client):
    from attunement.learners.photos import replace_photo  # noqa: F401  (the photo rule is checked below)

    family = world.members[Role.FAMILY]
    session_record(actor=world.practitioner, learner=world.mine, details=details(what_happened="Sang together"))
    login(client, family)
    page = client.get(reverse("practice:family_person", kwargs={"learner_id": world.mine.pk})).content.decode()
    assert "has not recorded agreement to share" in page and "Sang together" not in page
    assert client.get(reverse("learners:photo", kwargs={"learner_id": world.mine.pk})).status_code in (403, 404)

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from attunement.practice.models import Fundamental, Session
from attunement.practice.services import scale_edit_token

from ..conftest import login


def quick_log_post(**overrides):
    started = timezone.localtime() - timedelta(minutes=15)
    data = {
        "submission_key": str(uuid.uuid4()),
        "started_at": started.strftime("%Y-%m-%dT%H:%M"),
        "minutes": "10",
        "place": "Garden",
        "planned": "false",
        "enjoyment": "3",
        "ending": "natural",
        "what_happened": "We took turns with the drum.",
        "behaviour-0-text": "Tapped back twice",
        "behaviour-0-novelty": "new",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
class TestQuickLogPage:
    def test_saving_goes_to_the_timeline_which_shows_the_session_and_the_new_moment(self, world, client):
        login(client, world.practitioner)
        fundamental = Fundamental.objects.filter(organisation=world.school).first()
        url = reverse("practice:log_session", kwargs={"learner_id": world.mine.pk})
        response = client.post(url, quick_log_post(fundamentals=[fundamental.pk]), follow=True)
        assert response.redirect_chain[-1][0] == reverse("practice:timeline", kwargs={"learner_id": world.mine.pk})
        page = response.content.decode()
        assert "Session with Mina saved." in page
        assert "Tapped back twice" in page and "Never seen before" in page
        assert fundamental.name in page
        assert f'data-clear-draft="{url}"' in page

    def test_a_form_posted_twice_saves_once_and_says_so(self, world, client):
        login(client, world.practitioner)
        url = reverse("practice:log_session", kwargs={"learner_id": world.mine.pk})
        data = quick_log_post()
        client.post(url, data)
        response = client.post(url, data, follow=True)
        assert Session.objects.count() == 1
        assert "already saved" in response.content.decode()

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"minutes": "-3"}, "at least 1"),
            ({"minutes": ""}, "how many minutes the session lasted"),
            ({"minutes": "90"}, "Yes, it really lasted this long"),
            ({"minutes": "abc"}, "Enter a whole number"),
            ({"started_at": "2999-01-01T10:00"}, "in the future"),
            ({"ending": "partner_ended"}, "please say why"),
        ],
    )
    def test_bad_input_shows_a_message_keeps_what_was_typed_and_saves_nothing(self, world, client, change, message):
        login(client, world.practitioner)
        url = reverse("practice:log_session", kwargs={"learner_id": world.mine.pk})
        response = client.post(url, quick_log_post(**change))
        page = response.content.decode()
        assert response.status_code == 400
        assert "Nothing was saved yet" in page and message in page
        assert "We took turns with the drum." in page and "Tapped back twice" in page
        assert Session.objects.count() == 0

    def test_the_form_offers_people_recent_first_and_remembers_places(self, world, client):
        login(client, world.coordinator)
        client.post(reverse("practice:log_session", kwargs={"learner_id": world.unassigned.pk}), quick_log_post())
        choose = client.get(reverse("practice:log")).content.decode()
        assert choose.index("Una") < choose.index("Mina")
        form = client.get(reverse("practice:log_session", kwargs={"learner_id": world.mine.pk})).content.decode()
        assert 'data-value="Garden"' in form

    def test_the_word_for_the_person_follows_the_organisation(self, world, client):
        login(client, world.coordinator)
        assert "Pupils" in client.get(reverse("learners:list")).content.decode()
        world.school.learner_word = "person"
        world.school.save()
        assert "People we support" in client.get(reverse("learners:list")).content.decode()


@pytest.mark.django_db
class TestLeadersPages:
    def test_a_practitioner_cannot_change_the_catalogue_or_settings(self, world, client):
        login(client, world.practitioner)
        assert client.post(reverse("practice:fundamentals"), {"name": "X", "area": "communication"}).status_code == 403
        assert client.get(reverse("practice:settings")).status_code == 403
        assert not Fundamental.objects.filter(name="X").exists()

    def test_a_coordinator_retires_a_fundamental_and_it_leaves_the_quick_log(self, world, client):
        login(client, world.coordinator)
        fundamental = Fundamental.objects.filter(organisation=world.school).first()
        url = reverse("practice:fundamental_change", kwargs={"fundamental_id": fundamental.pk})
        client.post(url, {"action": "retire"})
        form = client.get(reverse("practice:log_session", kwargs={"learner_id": world.mine.pk})).content.decode()
        assert f"<span>{fundamental.name}</span>" not in form
        catalogue = client.get(reverse("practice:fundamentals")).content.decode()
        assert fundamental.name in catalogue and "Retired" in catalogue

    def test_progress_review_form_saves_and_the_chart_shows_it(self, world, client):
        login(client, world.practitioner)
        scale = world.school.progress_scale
        fundamental = Fundamental.objects.filter(organisation=world.school).first()
        level = scale.levels.get(label="Emerging")
        url = reverse("practice:review_create", kwargs={"learner_id": world.mine.pk})
        response = client.post(
            url,
            {
                "submission_key": str(uuid.uuid4()),
                "reviewed_on": timezone.localdate().isoformat(),
                "period_label": "Autumn",
                f"fundamental:{fundamental.pk}": str(level.pk),
            },
            follow=True,
        )
        page = response.content.decode()
        assert "The progress review is saved." in page
        assert f"{timezone.localdate():%-d %b %Y}: Emerging" in page

    def test_an_empty_review_is_refused(self, world, client):
        login(client, world.practitioner)
        response = client.post(
            reverse("practice:review_create", kwargs={"learner_id": world.mine.pk}),
            {"submission_key": str(uuid.uuid4())},
        )
        assert response.status_code == 400
        assert "Please rate at least one item" in response.content.decode()


@pytest.mark.django_db
def test_a_refused_review_keeps_everything_typed(world, client):
    login(client, world.practitioner)
    response = client.post(
        reverse("practice:review_create", kwargs={"learner_id": world.mine.pk}),
        {
            "submission_key": str(uuid.uuid4()),
            "reviewed_on": "not a date",
            "period_label": "Spring",
            "summary": "Lots of new sounds this term.",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter a valid date" in page and "Please rate at least one item" in page
    assert 'value="Spring"' in page and "Lots of new sounds this term." in page


@pytest.mark.django_db
def test_a_coordinator_words_the_scale_their_own_way_and_past_ratings_follow(world, client):
    from attunement.practice.services import RatingInput, review_record

    scale = world.school.progress_scale
    levels = list(scale.levels.all())
    fundamental = Fundamental.objects.filter(organisation=world.school).first()
    review_record(
        actor=world.coordinator,
        learner=world.mine,
        scale=scale,
        reviewed_on=timezone.localdate(),
        ratings=[RatingInput(level_id=levels[1].pk, fundamental_id=fundamental.pk)],
    )
    login(client, world.coordinator)
    url = reverse("practice:scale_wording", kwargs={"scale_id": scale.pk})
    wording = {f"label-{lv.pk}": lv.label for lv in levels} | {f"label-{levels[1].pk}": "Beginning"}
    wording["version"] = scale_edit_token(scale)
    assert client.post(url, wording | {f"label-{levels[2].pk}": "beginning"}).status_code == 400
    assert client.post(url, wording).status_code == 302
    page = client.get(reverse("practice:progress", kwargs={"learner_id": world.mine.pk})).content.decode()
    assert "Beginning" in page
    login(client, world.practitioner)
    assert client.post(url, wording).status_code == 403
    login(client, world.other_coordinator)
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_date_fields_are_filled_in_the_format_the_browser_date_picker_reads(world, client):
    login(client, world.practitioner)
    page = client.get(reverse("practice:review_create", kwargs={"learner_id": world.mine.pk})).content.decode()
    assert f'type="date" name="reviewed_on" value="{timezone.localdate().isoformat()}"' in page


@pytest.mark.django_db
def test_a_coordinators_home_puts_the_people_furthest_behind_their_target_first(world, client):
    from attunement.practice.services import session_record

    from ..conftest import details

    world.unassigned.weekly_session_target = 1
    world.unassigned.save()
    session_record(actor=world.coordinator, learner=world.unassigned, details=details(started_at=timezone.now()))
    login(client, world.coordinator)
    page = client.get(reverse("home")).content.decode()
    assert "Who needs a session this week" in page
    people = page[page.index("Who needs a session this week") :]  # above it: a one-tap log with Una, logged with
    assert people.index("Mina") < people.index("Una")
    assert "1 of 1 sessions this week" in page and "0 of 5 sessions this week" in page

"""A best-interests decision (Mental Capacity Act 2005) is refused for a person under 16, in plain words."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attunement.privacy.models import Consent

from ..conftest import login, shown
from .conftest import a_consent, today


def sixteenth_birthday(born: date) -> date:
    """Independent oracle: in England and Wales someone born on 29 February turns 16 on 1 March."""
    try:
        return born.replace(year=born.year + 16)
    except ValueError:
        return date(born.year + 16, 3, 1)


def best_interests(world, starts_on: date, **extra):
    return a_consent(
        world,
        given_by="best_interests",
        giver_name="Sam Lee",
        decision_maker_role="Social worker",
        starts=(starts_on - today()).days,
        review=(starts_on - today()).days + 365,
        **extra,
    )


@pytest.mark.django_db
class TestMentalCapacityActAge:
    def test_a_fifteen_year_old_is_refused_in_plain_words_and_nothing_is_saved(self, world):
        world.mine.date_of_birth = today() - timedelta(days=15 * 365 + 100)
        world.mine.save()
        with pytest.raises(ValidationError) as error:
            best_interests(world, today())
        message = error.value.message_dict["given_by"][0]
        assert "Mina was 15" in message
        assert "16 or over" in message and "parent or guardian" in message
        assert not Consent.objects.exists()

    def test_a_parent_may_still_consent_for_the_child(self, world):
        world.mine.date_of_birth = today() - timedelta(days=8 * 365)
        world.mine.save()
        consent = a_consent(world, given_by="parent", giver_name="Ruth Test")
        assert consent.pk is not None

    def test_on_the_sixteenth_birthday_the_decision_is_accepted(self, world):
        world.mine.date_of_birth = date(today().year - 16, today().month, min(today().day, 28))
        world.mine.save()
        consent = best_interests(world, sixteenth_birthday(world.mine.date_of_birth))
        assert consent.given_by == "best_interests"

    def test_no_date_of_birth_cannot_be_checked_and_is_accepted(self, world):
        assert world.mine.date_of_birth is None
        assert best_interests(world, today()).pk is not None

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        born=st.dates(min_value=date(1990, 1, 1), max_value=date(2026, 1, 1)),
        after_days=st.integers(min_value=0, max_value=30 * 366),
    )
    def test_refused_exactly_when_under_sixteen_on_the_start_date(self, world, born, after_days):
        world.mine.date_of_birth = born
        world.mine.save()
        starts_on = born + timedelta(days=after_days)
        if starts_on > today() + timedelta(days=300):  # a start date more than a year away has its own refusal
            starts_on = today()
        if starts_on < born:
            return
        under_sixteen = starts_on < sixteenth_birthday(born)
        try:
            consent = best_interests(world, starts_on)
        except ValidationError as error:
            assert under_sixteen, error.message_dict
            assert "16 or over" in error.message_dict["given_by"][0]
        else:
            assert not under_sixteen
            consent.delete()

    def test_the_consent_form_shows_the_refusal_beside_the_question(self, world, client):
        world.mine.date_of_birth = today() - timedelta(days=12 * 365)
        world.mine.save()
        login(client, world.coordinator)
        response = client.post(
            reverse("privacy:consent_create", kwargs={"learner_id": world.mine.pk}),
            {
                "purpose": "video",
                "given_by": "best_interests",
                "giver_name": "Sam Lee",
                "decision_maker_role": "Care manager",
                "starts_on": today().isoformat(),
                "review_on": (today() + timedelta(days=365)).isoformat(),
            },
        )
        assert response.status_code == 400
        page = shown(response)
        assert "A best-interests decision under the Mental Capacity Act can only be made for someone aged 16" in page
        assert not Consent.objects.exists()

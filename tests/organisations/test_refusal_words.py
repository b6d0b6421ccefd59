"""A refusal names exactly the roles that may do the thing: the sentence is worked out from the rule."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from attunement.learners.policies import learner_policy
from attunement.organisations.models import Role
from attunement.organisations.policies import ROLE_PLURALS, roles_in_words

from ..conftest import login


@given(st.sets(st.sampled_from(list(Role)), min_size=1))
def test_roles_in_words_names_each_role_once_in_a_plain_list(roles):
    words = roles_in_words(roles)
    *rest, last = words.split(" and ") if len(roles) > 1 else [words]
    named = [*(rest[0].split(", ") if rest else []), last]
    assert sorted(named) == sorted(ROLE_PLURALS[role] for role in roles)


def test_the_refusal_to_add_a_person_names_every_role_that_may():
    assert learner_policy.only_sentence("create", "add people") == (
        "Only co-ordinators, managers and administrators can add people."
    )


@pytest.mark.django_db
def test_a_practitioner_is_told_who_can_add_people(world, client):
    login(client, world.practitioner)
    response = client.get(reverse("learners:create"))
    assert response.status_code == 403
    assert "Only co-ordinators, managers and administrators can add people." in response.content.decode()

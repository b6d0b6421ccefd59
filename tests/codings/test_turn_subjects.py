"""Who is the learner and who the partner in a BORIS or ELAN coding is remembered for that coding, so its turns are
counted every time it is opened (not only while the choice is in the page's address), by those who may record
sessions only, and audited."""

import pytest
from django.core.exceptions import ValidationError

from attunement.coding.boris import load_boris
from attunement.codings.models import CodingPass
from attunement.codings.services import coding_pass_map_subjects, coding_pass_save
from attunement.learners.policies import learner_policy
from attunement.organisations.models import AuditEntry

from ..conftest import login
from ..reflection.conftest import a_session, reference, url


def text(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


def chains(page: str) -> int | None:
    if "Chains of two turns or more</th><td>" not in page:
        return None
    return int(page.split("Chains of two turns or more</th><td>")[1].split("<")[0])


@pytest.fixture
def boris_pass(world):
    """BORIS's own test observation #2 (subjects "subject1", "subject2" and events with none), stored as a pass."""
    coding = load_boris(reference("boris/test.boris"))["observation #2"]
    session = a_session(world)
    return session, coding_pass_save(
        actor=world.practitioner, session=session, coding=coding, source="boris", title="Two"
    )


@pytest.mark.django_db
def test_the_saved_choice_makes_turns_count_whenever_the_coding_is_opened(world, client, boris_pass):
    session, coding_pass = boris_pass
    login(client, world.practitioner)
    page_url = url("pass", session, pass_id=coding_pass.pk)
    page = text(client.get(page_url))
    assert "No turns counted yet" in page and chains(page) is None
    chosen = text(client.get(page_url, {"gap": "30", "learner": "subject1", "partner": "subject2"}))
    assert "Remember who is who" in chosen
    response = client.post(
        url("pass_people", session, pass_id=coding_pass.pk), {"learner": "subject1", "partner": "subject2"}
    )
    assert response.status_code == 302 and response["Location"] == page_url
    # opened again with nothing in the address: the turns are counted between subject1 and subject2
    page = text(client.get(page_url, {"gap": "30"}))
    assert "Counted with “subject1” as the learner and “subject2” as the partner." in page
    assert chains(page) == chains(chosen) >= 1
    assert "This coding remembers “subject1” as the learner and “subject2” as the partner." in page
    entry = AuditEntry.objects.get(action="coding_pass.changed", target_id=coding_pass.pk)
    assert entry.detail == {
        "before": {"learner": None, "partner": None},
        "after": {"learner": "subject1", "partner": "subject2"},
    }
    # the events with no subject can be a part too ("-" in the form), and forgetting brings back "no turns"
    client.post(url("pass_people", session, pass_id=coding_pass.pk), {"learner": "-", "partner": "subject2"})
    assert CodingPass.objects.get(pk=coding_pass.pk).saved_turn_subjects == ("", "subject2")
    assert "Counted with “No focal subject” as the learner" in text(client.get(page_url))
    client.post(url("pass_people", session, pass_id=coding_pass.pk), {"action": "forget"})
    assert "No turns counted yet" in text(client.get(page_url))


@pytest.mark.django_db
def test_only_those_who_may_record_sessions_can_save_it(world, client, boris_pass):
    session, coding_pass = boris_pass
    target = url("pass_people", session, pass_id=coding_pass.pk)
    for role, member in world.members.items():
        login(client, member)
        response = client.post(target, {"learner": "subject1", "partner": "subject2"})
        saved = CodingPass.objects.get(pk=coding_pass.pk)
        if learner_policy.allows(member, "record_session", world.mine):
            assert response.status_code == 302, role
            assert saved.saved_turn_subjects == ("subject1", "subject2"), role
            coding_pass_map_subjects(actor=member, coding_pass=saved, learner=None, partner=None)
        else:
            assert response.status_code in (403, 404), role
            assert saved.saved_turn_subjects == (None, None), role
    login(client, world.other_coordinator)
    assert client.post(target, {"learner": "subject1", "partner": "subject2"}).status_code == 404
    assert client.get(target).status_code == 404
    login(client, world.practitioner)
    assert client.get(target).status_code == 405  # saving only by POST
    assert CodingPass.objects.get(pk=coding_pass.pk).saved_turn_subjects == (None, None)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("learner", "partner", "message"),
    [
        ("subject1", "subject1", "two different people"),
        ("subject1", "nobody", "people who are in this coding"),
        ("subject1", None, "both the learner and the partner"),
    ],
)
def test_a_bad_choice_is_refused_and_nothing_is_saved(world, client, boris_pass, learner, partner, message):
    session, coding_pass = boris_pass
    with pytest.raises(ValidationError, match=message):
        coding_pass_map_subjects(actor=world.practitioner, coding_pass=coding_pass, learner=learner, partner=partner)
    saved = CodingPass.objects.get(pk=coding_pass.pk)
    assert saved.saved_turn_subjects == (None, None)
    assert not AuditEntry.objects.filter(action="coding_pass.changed").exists()
    login(client, world.practitioner)
    data = {"learner": learner or "", "partner": partner or ""}
    response = client.post(url("pass_people", session, pass_id=coding_pass.pk), data, follow=True)
    assert "Nothing was saved" in text(response)
    assert CodingPass.objects.get(pk=coding_pass.pk).saved_turn_subjects == (None, None)

"""The coding pages a researcher compares with BORIS: kappa by BORIS's definition (named on the page), the other
agreement figures, per-person statistics, turns between BORIS subjects chosen as learner and partner, and
UNPAIRED states."""

import pytest

from attunement.coding.boris import load_boris
from attunement.coding.model import Event
from attunement.codings.services import coding_pass_save

from ..conftest import login
from ..reflection.conftest import a_pass, a_session, reference, small_events, url


def text(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


@pytest.fixture
def boris_passes(world):
    """Observations #1, #2 and #2 again of BORIS's own test project, stored as passes of one session."""
    observations = load_boris(reference("boris/test.boris"))
    session = a_session(world)

    def save(name, title):
        return coding_pass_save(
            actor=world.practitioner, session=session, coding=observations[name], source="boris", title=title
        )

    return session, save("observation #1", "One"), save("observation #2", "Two"), save("observation #2", "Two again")


@pytest.mark.django_db
class TestKappaAsBorisComputesIt:
    def test_boris_definition_gives_boris_figure_and_is_named(self, world, client, boris_passes):
        session, one, two, _ = boris_passes
        login(client, world.practitioner)
        query = {"first": one.pk, "second": two.pk, "unit": "1"}
        ours = text(client.get(url("agreement", session), query))
        assert "Kappa overall</th><td>0.209</td>" in ours
        assert "Attunement's time units: everyone together, over the whole video" in ours
        # BORIS's own test suite expects K = -0.036 for these two observations: subjects 1 and 2, behaviour s.
        chosen = {**query, "definition": "boris", "people": ["subject1", "subject2"], "codes": ["s"]}
        response = client.get(url("agreement", session), chosen)
        assert response.status_code == 200
        page = text(response)
        assert "Kappa overall</th><td>-0.036</td>" in page
        assert "BORIS's time units: each person apart, over the coded stretch" in page
        assert "People compared: subject1, subject2" in page

    def test_an_observation_against_itself_is_one(self, world, client, boris_passes):
        session, _, two, again = boris_passes
        login(client, world.practitioner)
        page = text(client.get(url("agreement", session), {"first": two.pk, "second": again.pk, "definition": "boris"}))
        assert "Kappa overall</th><td>1.000</td>" in page
        assert "Krippendorff's alpha</th><td>1.000</td>" in page
        assert "Matched</th><td>8</td>" in page  # all eight moments (point events p) of #2 matched

    def test_moments_alpha_and_icc_are_shown(self, world, client):
        session = a_session(world)
        events = small_events()
        moved = [Event(e.time + 0.8, e.code, e.subject, None if e.end is None else e.end + 0.8) for e in events]
        first = a_pass(world, session, events, title="A")
        second = a_pass(world, session, moved, title="B")
        login(client, world.practitioner)
        query = {"first": first.pk, "second": second.pk, "tolerance": "1"}
        page = text(client.get(url("agreement", session), query))
        assert "Matched</th><td>4</td>" in page and "F1</th><td>1.000</td>" in page
        assert "Mean time apart when matched</th><td>0.8 s</td>" in page
        page = text(client.get(url("agreement", session), {**query, "tolerance": "0.5"}))
        assert "Matched</th><td>0</td>" in page and "F1</th><td>0.000</td>" in page
        assert "ICC(2,1) absolute agreement" in page and "Krippendorff's alpha</th><td>" in page
        # Every code has the same count in both: the ICC of the counts is 1.
        counts = page.split("Number of events of each code</th>")[1].split("</tr>")[0]
        assert counts.startswith("<td>1.000</td><td>1.000</td><td>5</td>")

    @pytest.mark.parametrize(("field", "value"), [("tolerance", "11"), ("tolerance", "x"), ("definition", "spss")])
    def test_bad_choices_are_refused(self, world, client, field, value):
        session = a_session(world)
        first, second = a_pass(world, session, small_events()), a_pass(world, session, small_events())
        login(client, world.practitioner)
        response = client.get(url("agreement", session), {"first": first.pk, "second": second.pk, field: value})
        assert response.status_code == 400 and "Kappa overall" not in text(response)


@pytest.mark.django_db
class TestEachPerson:
    def test_boris_subjects_chosen_as_learner_and_partner_make_chains(self, world, client, boris_passes):
        session, _, two, _ = boris_passes
        login(client, world.practitioner)
        page = text(client.get(url("pass", session, pass_id=two.pk)))
        assert "No turns counted yet" in page and "Chains of two turns or more" not in page
        page = text(
            client.get(
                url("pass", session, pass_id=two.pk), {"gap": "30", "learner": "subject1", "partner": "subject2"}
            )
        )
        assert "Counted with “subject1” as the learner and “subject2” as the partner." in page
        chains = int(page.split("Chains of two turns or more</th><td>")[1].split("<")[0])
        assert chains >= 1

    def test_the_same_person_twice_is_refused(self, world, client, boris_passes):
        session, _, two, _ = boris_passes
        login(client, world.practitioner)
        response = client.get(url("pass", session, pass_id=two.pk), {"learner": "subject1", "partner": "subject1"})
        assert response.status_code == 400
        assert "Please choose two different people" in text(response)

    def test_each_person_has_a_time_budget_and_transitions(self, world, client, boris_passes):
        session, _, two, _ = boris_passes
        login(client, world.practitioner)
        page = text(client.get(url("pass", session, pass_id=two.pk)))
        for name in ("subject1", "subject2", "No focal subject"):
            assert f"Time budget of {name}" in page
        assert "What followed what for subject1" in page and "Yule's Q" in page

    def test_an_unpaired_state_is_reported_not_closed(self, world, client):
        session = a_session(world)
        events = [Event(0.0, "L-looks", "learner", 10.0), Event(40.0, "L-looks", "learner"), *small_events()[2:]]
        coding_pass = a_pass(world, session, events)
        login(client, world.practitioner)
        page = text(client.get(url("pass", session, pass_id=coding_pass.pk)))
        row = page.split("Learner looks at face")[1].split("</tr>")[0]
        assert [c.split("</td>")[0] for c in row.split("<td>")[1:]] == [
            "state",
            "2",
            "UNPAIRED",
            "UNPAIRED",
            "2.00",
            "UNPAIRED",
        ]
        assert "started and never stopped" in page and "L-looks (learner) from 40.0 s" in page

import xml.etree.ElementTree as ET

import pytest

from attunement.coding.model import Event
from attunement.codings.models import CodingPass
from attunement.organisations.models import AuditEntry

from ..conftest import login
from .conftest import a_pass, a_session, small_events, upload, url


def text(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


@pytest.mark.django_db
class TestStatistics:
    def test_the_pass_page_shows_the_figures_of_a_small_coding(self, world, client):
        session = a_session(world)
        coding_pass = a_pass(world, session, small_events(), duration=60.0)
        login(client, world.practitioner)
        response = client.get(url("pass", session, pass_id=coding_pass.pk))
        assert response.status_code == 200
        page = text(response)
        # Learner looks at face: 2 states, 15 s in all, 7.5 s each, 2 a minute, 25% of the minute.
        row = page.split("Learner looks at face")[1].split("</tr>")[0]
        cells = [c.split("</td>")[0] for c in row.split("<td>")[1:]]
        assert cells == ["state", "2", "15.0 s", "7.5 s", "2.00", "25.0%"]
        smiles = page.split("Learner smiles or laughs")[1].split("</tr>")[0]
        assert [c.split("</td>")[0] for c in smiles.split("<td>")[1:]] == ["point", "1", "—", "—", "1.00", "—"]
        assert "Chains begun by the learner</th><td>1</td>" in page
        assert "Chains begun by the partner</th><td>0</td>" in page
        assert "Longest chain</th><td>3 turns, from 5.0 s</td>" in page
        assert AuditEntry.objects.filter(action="coding.read", target_id=session.pk).exists()

    def test_a_longer_pause_joins_more_turns(self, world, client):
        session = a_session(world)
        coding_pass = a_pass(world, session, small_events())
        login(client, world.practitioner)
        page = text(client.get(url("pass", session, pass_id=coding_pass.pk), {"gap": "15"}))
        # Chains: [0 s learner], [5 s learner, 6 s partner, 7 s learner], [20 s learner, 30 s partner (10 s on)].
        assert "Chains begun by the learner</th><td>2</td>" in page
        assert "Chains of two turns or more</th><td>2</td>" in page

    def test_the_session_page_lists_its_passes(self, world, client):
        session = a_session(world)
        a_pass(world, session, small_events(), title="Sam's coding")
        login(client, world.members["therapist"])
        page = text(client.get(url("passes", session)))
        assert "Sam's coding" in page and "entered" in page and "<td>6</td>" in page


@pytest.mark.django_db
class TestAgreement:
    def test_two_identical_passes_agree_perfectly(self, world, client):
        session = a_session(world)
        first = a_pass(world, session, small_events(), title="One")
        second = a_pass(world, session, small_events(), title="Two", actor=world.coordinator)
        login(client, world.practitioner)
        response = client.get(url("agreement", session), {"first": first.pk, "second": second.pk, "unit": "1"})
        assert response.status_code == 200
        page = text(response)
        assert "Kappa overall</th><td>1.000</td>" in page
        assert "Units where both agree</th><td>100.0%</td>" in page
        assert "on 60 units of 1.0 seconds" in page

    def test_a_hand_worked_example(self, world, client):
        # Four 1-second units. A: looks in units 0 and 1. B: looks in unit 0 only.
        # Agreement 3 of 4; chance = (2*1 + 2*3) / 16 = 0.5; kappa = (0.75 - 0.5) / (1 - 0.5) = 0.5.
        session = a_session(world)
        first = a_pass(world, session, [Event(0.0, "L-looks", "learner", 2.0)], duration=4.0, title="A")
        second = a_pass(world, session, [Event(0.0, "L-looks", "learner", 1.0)], duration=4.0, title="B")
        login(client, world.practitioner)
        page = text(client.get(url("agreement", session), {"first": first.pk, "second": second.pk}))
        assert "Kappa overall</th><td>0.500</td>" in page
        assert "Units where both agree</th><td>75.0%</td>" in page
        assert '<th scope="row">L-looks</th><td>0.500</td>' in page
        # The agreement table: rows A, columns B, labels sorted: "(none)", "L-looks".
        assert '<th scope="row">(none)</th><td>2</td><td>0</td><td>2</td>' in page
        assert '<th scope="row">L-looks</th><td>1</td><td>1</td><td>2</td>' in page
        # Units of 2 seconds: A = [L, none], B = [L, none]: perfect.
        page = text(client.get(url("agreement", session), {"first": first.pk, "second": second.pk, "unit": "2"}))
        assert "Kappa overall</th><td>1.000</td>" in page

    @pytest.mark.parametrize("unit", ["0.4", "10.5", "x"])
    def test_the_unit_must_be_from_half_a_second_to_ten(self, world, client, unit):
        session = a_session(world)
        first = a_pass(world, session, small_events())
        second = a_pass(world, session, small_events())
        login(client, world.practitioner)
        response = client.get(url("agreement", session), {"first": first.pk, "second": second.pk, "unit": unit})
        assert response.status_code == 400 and "Kappa overall" not in text(response)

    def test_the_same_pass_twice_is_refused(self, world, client):
        session = a_session(world)
        first = a_pass(world, session, small_events())
        a_pass(world, session, small_events())
        login(client, world.practitioner)
        response = client.get(url("agreement", session), {"first": first.pk, "second": first.pk})
        assert response.status_code == 400 and "two different codings" in text(response)

    def test_a_pass_of_another_session_cannot_be_compared(self, world, client):
        session, other = a_session(world), a_session(world)
        first = a_pass(world, session, small_events())
        a_pass(world, session, small_events())
        elsewhere = a_pass(world, other, small_events())
        login(client, world.practitioner)
        response = client.get(url("agreement", session), {"first": first.pk, "second": elsewhere.pk})
        assert response.status_code == 400


@pytest.mark.django_db
class TestExport:
    @pytest.mark.parametrize("format", ["boris", "eaf", "csv"])
    def test_an_export_downloads_and_imports_back_to_the_same_events(self, world, client, format):
        session = a_session(world)
        events = [e for e in small_events()]
        original = a_pass(world, session, events)
        login(client, world.practitioner)
        response = client.get(url("export", session, pass_id=original.pk), {"as": format})
        assert response.status_code == 200
        assert response["Content-Disposition"] == f'attachment; filename="coding-{original.pk}.{format}"'
        assert AuditEntry.objects.filter(action=f"coding_pass.exported_{format}", target_id=original.pk).exists()
        client.post(url("import", session), {"file": upload(response.content, "download")})
        again = CodingPass.objects.exclude(pk=original.pk).get()

        def rows(coding_pass):
            return list(coding_pass.events.values_list("time", "end", "code", "subject", "modifiers", "comment"))

        assert rows(again) == rows(original)
        if format != "csv":
            assert again.media_duration == 60.0

    def test_the_export_page_offers_the_three_formats(self, world, client):
        session = a_session(world)
        coding_pass = a_pass(world, session, small_events())
        login(client, world.practitioner)
        page = text(client.get(url("export", session, pass_id=coding_pass.pk)))
        assert "?as=boris" in page and "?as=eaf" in page and "?as=csv" in page

    def test_a_code_used_for_two_subjects_exports_to_elan_as_a_tier_each(self, world, client):
        session = a_session(world)
        coding_pass = a_pass(world, session, [Event(1.0, "smile", "learner"), Event(2.0, "smile", "partner")])
        login(client, world.practitioner)
        response = client.get(url("export", session, pass_id=coding_pass.pk), {"as": "eaf"})
        assert response.status_code == 200
        tiers = {t.get("TIER_ID"): t.get("PARTICIPANT") for t in ET.fromstring(response.content).iter("TIER")}
        assert tiers["smile (learner)"] == "learner" and tiers["smile (partner)"] == "partner"

"""A BORIS state started and never stopped reaches the person as "UNPAIRED" on every coding page: imported and
stored open, shown in the time budgets, refused by name on the agreement page, kept open in BORIS and CSV
downloads, and left out of an ELAN download only when the person asks (and then listed in the file).

The files are BORIS's own test project (`../shared/reference/boris/test.boris`), read from where it lies."""

import json

import pytest

from attunement.coding.boris import dumps_boris
from attunement.coding.model import Code, Coding, Ethogram, Event
from attunement.codings.models import CodingEvent, CodingPass
from attunement.codings.selectors import coding_of
from attunement.codings.services import coding_pass_import
from attunement.organisations.models import AuditEntry

from ..conftest import login
from ..reflection.conftest import a_session, reference, upload, url


def text(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


def cells(page: str, after: str) -> list[str]:
    """The cells of the table row that begins with `after`."""
    row = page.split(after, 1)[1].split("</tr>")[0]
    return [c.split("</td>")[0] for c in row.split("<td>")[1:]]


def boris_bytes(*, stop_removed: bool) -> bytes:
    """BORIS's test project, with subject2's last stop of "s" (320.365 s) in observation #2 taken out if asked."""
    project = json.loads(reference("boris/test.boris").read_text())
    if stop_removed:
        removed = project["observations"]["observation #2"]["events"].pop()
        assert removed[:3] == [320.365, "subject2", "s"]
    return json.dumps(project).encode()


def imported(world, session, observation, *, stop_removed=False) -> CodingPass:
    return coding_pass_import(
        actor=world.practitioner,
        session=session,
        data=boris_bytes(stop_removed=stop_removed),
        observation=observation,
    ).coding_pass


@pytest.mark.django_db
def test_an_imported_open_state_is_stored_open_and_read_back_as_a_state(world):
    coding_pass = imported(world, a_session(world), "live not paired")
    stored = CodingEvent.objects.filter(coding_pass=coding_pass, code="s").order_by("time")
    assert [(e.time, e.end) for e in stored][-1] == (26.862, None)
    coding = coding_of(coding_pass)
    # "s" is not in the organisation's ethogram: the imported file's ethogram keeps it a state
    assert coding.ethogram.get("s").kind == "state"
    assert coding.unpaired == (Event(26.862, "s"),)
    assert [e for e in coding.events if e.code == "p" and e.end is None] == [e for e in coding.events if e.code == "p"]


@pytest.mark.django_db
def test_a_moment_in_the_file_stays_a_moment_though_the_organisation_calls_that_code_a_state(world):
    # The organisation's "L-looks" lasts a while; a file that calls its own "L-looks" a moment keeps its moments.
    coding = Coding(Ethogram((Code("L-looks", "looks", kind="point"),)), (Event(2.0, "L-looks", "learner"),), 10.0)
    session = a_session(world)
    coding_pass = coding_pass_import(actor=world.practitioner, session=session, data=dumps_boris(coding).encode())
    read = coding_of(coding_pass.coding_pass)
    assert read.unpaired == () and read.ethogram.get("L-looks").kind == "point"


@pytest.mark.django_db
class TestPages:
    def test_the_pass_page_says_unpaired_for_that_code_and_keeps_the_others(self, world, client):
        session = a_session(world)
        coding_pass = imported(world, session, "live not paired")
        login(client, world.practitioner)
        page = text(client.get(url("pass", session, pass_id=coding_pass.pk)))
        assert cells(page, '<th scope="row">s</th>') == ["state", "4", "UNPAIRED", "UNPAIRED", "8.93", "UNPAIRED"]
        # five moments of p in the 26.862 s observed (to the last event, a live observation): unaffected
        assert cells(page, '<th scope="row">p</th>') == ["point", "5", "—", "—", "11.17", "—"]
        assert "<strong>UNPAIRED</strong>: started and never stopped" in page
        assert "<li>s from 26.9 s</li>" in page

    def test_each_person_shows_unpaired_only_for_the_subject_whose_stop_is_missing(self, world, client):
        session = a_session(world)
        login(client, world.practitioner)
        response = client.post(
            url("import", session),
            {"file": upload(boris_bytes(stop_removed=True), "test.boris"), "observation": "observation #2"},
        )
        assert response.status_code == 302
        coding_pass = CodingPass.objects.get(session=session)
        page = text(client.get(url("pass", session, pass_id=coding_pass.pk)))
        assert "<li>s (subject2) from 317.4 s</li>" in page
        person = {
            name: page.split(f"Time budget of {name}")[1].split("</table>")[0] for name in ("subject1", "subject2")
        }
        # two events each in the 539.92 s of the observation's two videos: 0.22 a minute
        assert cells(person["subject2"], '<th scope="row">s</th>') == ["2", "UNPAIRED", "0.22", "UNPAIRED"]
        assert cells(person["subject2"], '<th scope="row">p</th>') == ["2", "—", "0.22", "—"]
        # subject1's "s" lasts 10.525 s + 13.25 s = 23.775 s of the 539.92 s observed, as before
        assert cells(person["subject1"], '<th scope="row">s</th>') == ["2", "23.8 s", "0.22", "4.4%"]
        assert "UNPAIRED" not in person["subject1"]

    def test_agreement_is_refused_naming_the_unpaired_state_and_other_people_are_still_compared(self, world, client):
        session = a_session(world)
        one = imported(world, session, "observation #1")
        two = imported(world, session, "observation #2", stop_removed=True)
        login(client, world.practitioner)
        query = {"first": one.pk, "second": two.pk, "unit": "1", "definition": "boris", "codes": ["s"]}
        for definition in ("boris", "attunement"):
            chosen = {**query, "definition": definition, "people": ["subject1", "subject2"]}
            response = client.get(url("agreement", session), chosen)
            page = text(response)
            assert response.status_code == 400 and "Kappa overall" not in page
            assert "started and never stopped (UNPAIRED, as BORIS says)" in page
            assert "in “observation #2”: s (subject2) from 317.39 s" in page
        page = text(client.get(url("agreement", session), {**query, "people": ["subject1"]}))
        assert "Kappa overall</th><td>" in page and "UNPAIRED" not in page


@pytest.mark.django_db
class TestDownloads:
    def test_elan_is_refused_then_downloaded_without_them_when_asked(self, world, client, tmp_path):
        pympi = pytest.importorskip("pympi")
        session = a_session(world)
        coding_pass = imported(world, session, "live not paired")
        login(client, world.practitioner)
        export = url("export", session, pass_id=coding_pass.pk)
        response = client.get(export, {"as": "eaf"})
        page = text(response)
        assert response.status_code == 400 and "Nothing was downloaded." in page
        assert "s (no subject) from 26.862 s" in page and "An ELAN annotation needs an end" in page
        assert "?as=eaf&amp;unpaired=leave-out" in page
        assert not AuditEntry.objects.filter(action="coding_pass.exported_eaf").exists()
        response = client.get(export, {"as": "eaf", "unpaired": "leave-out"})
        assert response.status_code == 200 and response["Content-Disposition"].endswith('.eaf"')
        path = tmp_path / "coding.eaf"
        path.write_bytes(response.content)
        eaf = pympi.Elan.Eaf(str(path))
        assert len(eaf.get_annotation_data_for_tier("s")) == 3
        assert sum(len(eaf.get_annotation_data_for_tier(t)) for t in eaf.tiers) == coding_pass.events.count() - 1
        entry = AuditEntry.objects.get(action="coding_pass.exported_eaf")
        assert entry.detail["states_never_stopped_left_out"] == 1
        # imported again, the left-out state comes back open
        again = coding_pass_import(actor=world.practitioner, session=session, data=response.content).coding_pass
        assert coding_of(again).unpaired == (Event(26.862, "s"),)

    @pytest.mark.parametrize("format", ["boris", "csv"])
    def test_boris_and_csv_downloads_keep_it_open_through_a_round_trip(self, world, client, format):
        session = a_session(world)
        coding_pass = imported(world, session, "observation #2", stop_removed=True)
        login(client, world.practitioner)
        response = client.get(url("export", session, pass_id=coding_pass.pk), {"as": format})
        assert response.status_code == 200
        again = coding_pass_import(actor=world.practitioner, session=session, data=response.content).coding_pass
        first, second = coding_of(coding_pass), coding_of(again)
        assert second.unpaired == first.unpaired == (Event(317.39, "s", "subject2"),)
        assert second.events == first.events
        if format == "boris":
            (observation,) = json.loads(response.content)["observations"].values()
            assert [r[0] for r in observation["events"] if r[1:3] == ["subject2", "s"]] == [286.215, 292.065, 317.39]

"""Codings go out to BORIS and ELAN as they came in: a stored pass exports the whole ethogram, its media names,
and an ELAN file's hierarchy and vocabularies; a BORIS ethogram adds its behaviours, with modifier pick-lists,
to the organisation's ethogram. Exports are read by pympi-ling, another program's reader."""

import json

import pytest
from django.urls import reverse

from attunement.codings.models import CodingEvent, CodingPass, EthogramCode
from attunement.codings.services import coding_pass_export, coding_pass_import
from attunement.organisations.models import AuditEntry
from attunement.reflection.models import SessionVideo

from ..conftest import login
from ..reflection.conftest import a_session, reference, upload, url

pympi = pytest.importorskip("pympi")


def exported(world, coding_pass, format, tmp_path=None):
    content = coding_pass_export(actor=world.practitioner, coding_pass=coding_pass, format=format).content
    if format == "boris":
        return json.loads(content)
    path = tmp_path / f"export-{coding_pass.pk}.eaf"
    path.write_text(content, encoding="utf-8")
    return pympi.Elan.Eaf(str(path))


@pytest.mark.django_db
def test_a_stored_boris_observation_exports_its_whole_ethogram_media_name_and_subject_tiers(world, tmp_path):
    path = reference("boris/test.boris")
    project = json.loads(path.read_text())
    session = a_session(world)
    imported = coding_pass_import(
        actor=world.practitioner, session=session, data=path.read_bytes(), observation="observation #2"
    ).coding_pass
    written = exported(world, imported, "boris")
    assert {b["code"]: b["description"] for b in written["behaviors_conf"].values()} == {
        b["code"]: b["description"] for b in project["behaviors_conf"].values()
    }  # the unused behaviours too
    two_sets = next(b for b in written["behaviors_conf"].values() if b["code"] == "m")
    assert [s["name"] for s in two_sets["modifiers"].values()] == ["modif #1", "modif #2"]
    (observation,) = written["observations"].values()
    assert observation["file"]["1"] == project["observations"]["observation #2"]["file"]["1"] != ["media"]

    eaf = exported(world, imported, "eaf", tmp_path)  # refused before: events by three different subjects
    participants = {attrs.get("PARTICIPANT", "") for _a, _r, attrs, _o in eaf.tiers.values()}
    assert participants == {"", "subject1", "subject2"}
    assert sum(len(aligned) for aligned, _r, _a, _o in eaf.tiers.values()) == imported.events.count()
    assert AuditEntry.objects.filter(action="coding_pass.exported_eaf", target_id=imported.pk).exists()


@pytest.mark.django_db
def test_a_stored_elan_file_exports_with_its_hierarchy_vocabularies_types_and_media(world, tmp_path):
    path = reference("elan/sample_3.0.eaf")
    before = pympi.Elan.Eaf(str(path))
    imported = coding_pass_import(actor=world.practitioner, session=a_session(world), data=path.read_bytes())
    after = exported(world, imported.coding_pass, "eaf", tmp_path)
    assert {t: a[2] for t, a in after.tiers.items()} == {t: a[2] for t, a in before.tiers.items()}
    assert after.linguistic_types == before.linguistic_types
    assert after.controlled_vocabularies == before.controlled_vocabularies
    assert after.media_descriptors == before.media_descriptors
    for tier, (aligned, refs, _a, _o) in before.tiers.items():
        assert (len(after.tiers[tier][0]), len(after.tiers[tier][1])) == (len(aligned), len(refs)), tier
        if refs:  # stored and read back, each word still under its sentence, in its order
            got = [a[:4] for a in after.get_ref_annotation_data_for_tier(tier)]
            assert got == [a[:4] for a in before.get_ref_annotation_data_for_tier(tier)], tier


@pytest.mark.django_db
def test_a_pass_coded_here_exports_the_organisations_ethogram_with_pick_lists_and_the_video_name(world):
    session = a_session(world)
    smiles = EthogramCode.objects.get(organisation=world.mine.organisation, key="L-smiles")
    smiles.modifier_sets = [{"name": "how", "values": ["broad", "brief"], "multiple": False, "description": ""}]
    smiles.save()
    video = SessionVideo.objects.create(
        session=session,
        uploaded_by=world.practitioner,
        folder="exchange1",
        original="videos/exchange1/original.mp4",
        original_name="garden visit.mp4",
        size_bytes=1,
        duration=60.0,
        width=640,
        height=360,
    )
    coding_pass = CodingPass.objects.create(
        session=session, coder=world.practitioner.user, title="Coded here", source="entered", video=video
    )
    CodingEvent.objects.create(coding_pass=coding_pass, time=2.0, code="L-smiles", subject="learner", modifiers="broad")
    written = exported(world, coding_pass, "boris")
    codes = {b["code"]: b for b in written["behaviors_conf"].values()}
    in_use = EthogramCode.objects.filter(organisation=world.mine.organisation, retired_at__isnull=True)
    assert set(codes) == set(in_use.values_list("key", flat=True))  # every code in use, coded or not
    assert codes["L-smiles"]["modifiers"]["0"]["values"] == ["broad", "brief"]
    assert codes["L-smiles"]["description"] == smiles.name and codes["L-smiles"]["key"] == smiles.shortcut
    (observation,) = written["observations"].values()
    assert observation["file"]["1"] == ["garden visit.mp4"]


def ethogram_only() -> bytes:
    project = json.loads(reference("boris/test.boris").read_text())
    project["observations"] = {}
    return json.dumps(project).encode()


@pytest.mark.django_db
def test_an_ethogram_only_boris_file_adds_its_behaviours_with_pick_lists(world, client):
    login(client, world.coordinator)
    EthogramCode.objects.filter(organisation=world.mine.organisation, shortcut__in="pqrsm").update(shortcut="")
    response = client.post(
        reverse("reflection:ethogram_import"),
        {"file": upload(ethogram_only(), "ethogram.boris"), "subject": "learner"},
        follow=True,
    )
    page = response.content.decode()
    assert "5 behaviours added to the ethogram." in page
    m = EthogramCode.objects.get(organisation=world.mine.organisation, key="m")
    assert (m.name, m.kind, m.subject, m.shortcut) == ("state event with 2 set of modifiers", "state", "learner", "m")
    assert [s["values"] for s in m.modifier_sets] == [["m1", "m2", "m3"], ["n1", "n2", "n3"]]
    assert "modif #2" in page and "n1, n2, n3" in page
    assert AuditEntry.objects.filter(action="ethogram_code.added", target_id=m.pk).exists()
    again = client.post(
        reverse("reflection:ethogram_import"), {"file": upload(ethogram_only()), "subject": "learner"}, follow=True
    )
    assert "0 behaviours added" in again.content.decode() and "already has this key" in again.content.decode()


@pytest.mark.django_db
def test_only_those_who_look_after_the_ethogram_may_add_from_a_boris_file(world, client):
    login(client, world.practitioner)
    response = client.post(
        reverse("reflection:ethogram_import"), {"file": upload(ethogram_only()), "subject": "learner"}
    )
    assert response.status_code == 403
    assert not EthogramCode.objects.filter(key="m").exists()


@pytest.mark.django_db
def test_a_file_that_is_not_boris_adds_nothing_and_says_why(world, client):
    login(client, world.coordinator)
    response = client.post(
        reverse("reflection:ethogram_import"), {"file": upload(b"time,code\n1,x\n"), "subject": "learner"}
    )
    assert response.status_code == 400
    assert "This is not a BORIS project file" in response.content.decode()


@pytest.mark.django_db
def test_an_ethogram_only_file_on_a_session_says_where_it_belongs(world, client):
    session = a_session(world)
    login(client, world.practitioner)
    response = client.post(url("import", session), {"file": upload(ethogram_only(), "ethogram.boris")})
    assert response.status_code == 400
    page = response.content.decode()
    assert "holds an ethogram (5 behaviours) but no observations" in page
    assert "Add behaviours from a BORIS file" in page
    assert not CodingPass.objects.exists()

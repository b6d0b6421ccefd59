"""The subject access export holds everything: every model that links to a person (found by walking the
models, not from a list) has each of the person's records in data.json and counted in summary.html, and every
piece of text in data.json can be read in summary.html, with plain words in place of codes."""

import html
import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from django.apps import apps
from django.db.models import Q
from django.utils import timezone

from attunement.interaction.models import VideoAnalysis
from attunement.learners.models import Learner
from attunement.means.models import AgreedAction, MeetingKind, SupervisionMeeting
from attunement.members.models import Invitation, token_digest
from attunement.organisations.audit import audit_record
from attunement.organisations.models import AuditEntry
from attunement.outcomes.models import CaseStudyRelease
from attunement.practice.models import Correction, FamilyFeedback, ProgressReview, Session, SessionMedia
from attunement.records.export import SECTIONS, records_at
from attunement.records.services import subject_access_export
from attunement.reflection.models import Clip, SessionVideo, VideoComment, VideoRating, VideoShare

from .conftest import today
from .test_export_and_erasure import everything_about


def person_models() -> dict:
    """Independent of the export's own walk: every concrete model with a foreign key, one-to-one or
    many-to-many chain to Learner, or a `learner_id` number, with its shortest lookups to the person."""
    found = {Learner: [""]}
    for _ in range(10):
        for model in apps.get_models():
            if model._meta.auto_created or model is Learner:
                continue
            lookups = []
            for field in model._meta.get_fields():
                if field.is_relation and field.concrete or field.many_to_many and not field.auto_created:
                    target = field.related_model
                    if target in found and target is not model:
                        lookups += [f"{field.name}__{p}".rstrip("_") for p in found[target]]
            if "learner_id" in [f.attname for f in model._meta.concrete_fields] and not lookups:
                lookups = ["learner_id"]
            if lookups:
                depth = min(p.count("__") for p in lookups)
                found[model] = sorted({p for p in lookups if p.count("__") == depth})
    return found


def held_about(model, lookups, learner) -> set[int]:
    query = Q()
    for lookup in lookups:
        query |= Q(**{lookup or "pk": learner.pk if lookup in ("learner_id", "") else learner})
    if model is AuditEntry:
        query |= Q(target_type="Learner", target_id=learner.pk)
    return set(model._base_manager.filter(query).values_list("pk", flat=True))


def every_kind_of_record(world, learner):
    """At least one record in every model that links to a person, withdrawn and corrected ones among them."""
    session = everything_about(world, learner)
    coordinator = world.coordinator
    invitation = Invitation.objects.create(
        organisation=learner.organisation,
        email=f"invitee.for.{learner.pk}@example.org",
        role="family",
        token_digest=token_digest(f"export{learner.pk}"),
        sent_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=7),
    )
    invitation.learners.add(learner)
    video = SessionVideo.objects.create(
        session=session,
        uploaded_by=world.practitioner,
        folder=f"sar{learner.pk}",
        original="videos/sar/original.mp4",
        original_name="Drum game.mp4",
        size_bytes=2048,
        duration=42.0,
        width=640,
        height=360,
    )
    SessionMedia.objects.create(
        session=session,
        kind="photo",
        added_by=world.practitioner,
        folder=f"sarmedia{learner.pk}",
        file=f"session-media/sarmedia{learner.pk}/photo.jpg",
        content_type="image/jpeg",
        size_bytes=1024,
    )
    VideoComment.objects.create(video=video, author=coordinator, time=3.5, text="Lovely pause before joining in")
    VideoRating.objects.create(
        video=video, rater=coordinator, scheme="zeedyk", item="gaze", start=0, interval=10, value=2
    )
    VideoShare.objects.create(video=video, member=world.members["therapist"], shared_by=world.practitioner)
    Clip.objects.create(
        video=video, start=1, end=4, title="Waiting well", teaching_point="Leave space", added_by=coordinator
    )
    now = timezone.now()
    VideoAnalysis.objects.create(
        video=video, status="done", finished_at=now, chosen_at=now, engine_version="2.1", results={"in_step": 0.42}
    )
    VideoAnalysis.objects.create(video=video, status="done", finished_at=now, preset="short", results={"in_step": 0.3})
    meeting = SupervisionMeeting.objects.create(
        organisation=learner.organisation,
        kind=MeetingKind.SUPERVISION,
        supervisor=coordinator,
        supervisee=world.practitioner,
        met_on=today(),
        notes="Talked about waiting longer",
    )
    meeting.sessions.add(session)
    AgreedAction.objects.create(meeting=meeting, text="Try a longer pause", owner=world.practitioner)
    FamilyFeedback.objects.create(
        learner=learner,
        given_on=today(),
        given_by_name="Ruth",
        understand=5,
        connected=4,
        reassured=4,
        enjoy=5,
        comment="She waits for the drum now",
    )
    CaseStudyRelease.objects.create(
        organisation=learner.organisation,
        learner=learner,
        since=today() - timedelta(days=90),
        until=today(),
        sentences=[{"source": "session", "kind": "moment", "text": "[the pupil] reached for the drum"}],
        released_by=coordinator.user,
    )
    from attunement.coding.model import DEFAULT_ETHOGRAM, Coding, Event
    from attunement.codings.services import coding_pass_save

    coding_pass_save(
        actor=coordinator,
        session=session,
        coding=Coding(DEFAULT_ETHOGRAM, (Event(1.0, "L-looks", "learner", 2.0, (), "looked up"),), media_duration=9.0),
        source="entered",
        title="First look",
    )
    # A correction with its history, and a withdrawn session and review: held, so in the person's copy.
    Correction.objects.create(
        session=session,
        changed_by=coordinator.user,
        before={"minutes": "20", "place": "Hall"},
        after={"minutes": "12", "place": "Sensory room"},
        reason="Typed the wrong room",
    )
    withdrawn = Session.objects.create(
        learner=learner, started_at=now - timedelta(days=3), minutes=5, place="Wrong child's session"
    )
    Session.every_record.filter(pk=withdrawn.pk).update(
        withdrawn_at=now, withdrawn_by=coordinator.user, withdrawn_reason="Logged for the wrong child"
    )
    Correction.objects.create(session=withdrawn, changed_by=coordinator.user, kind="withdraw", reason="Wrong child")
    review = ProgressReview.objects.filter(learner=learner).first()
    ProgressReview.every_record.filter(pk=review.pk).update(withdrawn_at=now, withdrawn_reason="Wrong scale used")
    audit_record(
        actor=coordinator,
        action="session.changed",
        learner=learner,
        target=session,
        detail={"before": {"minutes": "20"}, "after": {"minutes": "12"}, "reason": "Typed the wrong room"},
    )
    audit_record(actor=coordinator, action="report.read", learner=learner, detail={"report": "family", "format": "pdf"})


def exported(world, learner):
    archive = zipfile.ZipFile(io.BytesIO(subject_access_export(actor=world.coordinator, learner=learner).content))
    return json.loads(archive.read("data.json")), archive.read("summary.html").decode()


def visible_text(page: str) -> str:
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.fixture
def full_export(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    every_kind_of_record(world, world.mine)
    every_kind_of_record(world, world.unassigned)  # someone else's records must not come with it
    held = {model: held_about(model, lookups, world.mine) for model, lookups in person_models().items()}
    data, summary = exported(world, world.mine)  # (making it adds one more audit entry, after the file)
    return data, summary, held


@pytest.mark.django_db
class TestEveryModelIsInTheExport:
    def test_every_model_linked_to_a_person_has_its_records_in_the_json(self, world, full_export):
        data, _, held = full_export
        assert len(held) >= 25  # the walk found the app's person data, not just a handful
        other = {group["model"]: group for group in data["other_records"]}
        for model, expected in held.items():
            label = model._meta.label
            assert expected or model in (Learner,), f"the test made no {label} record"
            if label in SECTIONS:
                path, _ = SECTIONS[label]
                found = {record["id"] for record in records_at(data, path)}
            else:
                assert label in other, f"{label} links to a person but is not in data.json"
                found = {record["id"] for record in other[label]["records"]}
            assert found == expected, label

    def test_the_summary_counts_every_kind_the_json_holds(self, world, full_export):
        data, summary, held = full_export
        text = visible_text(summary)
        headings = {label: heading for label, (_, heading) in SECTIONS.items()}
        headings |= {group["model"]: group["kind"] for group in data["other_records"]}
        for model, records in held.items():
            heading = headings[model._meta.label]
            count = len(records)
            assert f"{heading} {count}" in text, (model._meta.label, heading, count)

    def test_every_piece_of_text_in_the_json_can_be_read_in_the_summary(self, full_export):
        data, summary, _ = full_export
        text = visible_text(summary)
        codes = {"action", "record_type", "name", "model", "detail", "file"}  # shown in plain words or as a link
        missing = []

        def walk(value, key=""):
            if isinstance(value, dict):
                for k, v in value.items():
                    if k not in codes and k not in ("before", "after", "who_made_each_sound_corrected"):
                        walk(v, k)
            elif isinstance(value, list):
                for v in value:
                    walk(v, key)
            elif isinstance(value, str) and value.strip():
                if re.fullmatch(r"\d{4}-\d\d-\d\d([T ][\d:.+\-]+)?", value):
                    return  # dates and times are written out in words ("6 Dec 2026")
                if " ".join(value.split()) not in text:
                    missing.append((key, value))

        walk(data)
        assert missing == []

    def test_withdrawn_records_corrections_and_plain_words_are_in_the_summary(self, full_export):
        data, summary, _ = full_export
        text = visible_text(summary)
        withdrawn = [s for s in data["sessions"] if s["withdrawn"]]
        assert [s["withdrawn_reason"] for s in withdrawn] == ["Logged for the wrong child"]
        assert "Withdrawn on" in text and "Reason: Logged for the wrong child" in text
        assert "minutes: 20 → 12" in text and "place: Hall → Sensory room" in text
        assert "Reason: Typed the wrong room" in text
        assert "looked at: report (“family” as a PDF)" in text
        assert "report.read" not in text and "session.changed" not in text
        runs = data["videos"][0]["measurements"]
        assert [run["counts"] for run in runs] == [True, False]
        assert "this run counts" in text and "kept, does not count" in text

    def test_the_summary_is_styled_for_reading_and_printing(self, full_export):
        _, summary, _ = full_export
        assert "@media print" in summary and "@page" in summary
        assert "thead { display: table-header-group; }" in summary  # long tables repeat their headings
        assert "h2.part { break-before: page; }" in summary and summary.count('<h2 class="part"') >= 5


@pytest.mark.django_db
def test_a_kind_of_record_the_export_does_not_name_is_still_exported_under_plain_field_names(world, monkeypatch):
    """A new model that links to a person, and that nobody added to the export, is exported all the same."""
    from attunement.records import export

    sections = dict(SECTIONS)
    del sections["outcomes.CaseStudyRelease"]
    monkeypatch.setattr(export, "SECTIONS", sections)
    CaseStudyRelease.objects.create(
        organisation=world.school,
        learner=world.mine,
        since=today() - timedelta(days=30),
        until=today(),
        sentences=[{"source": "session", "kind": "moment", "text": "[the pupil] smiled"}],
        released_by=world.coordinator.user,
    )
    data, summary = exported(world, world.mine)
    (group,) = [g for g in data["other_records"] if g["model"] == "outcomes.CaseStudyRelease"]
    assert group["kind"] == "Case study releases" and len(group["records"]) == 1
    record = group["records"][0]
    assert record["Until"] == today().isoformat() and record["Learner"] == str(world.mine)
    text = visible_text(summary)
    assert "Case study releases 1" in text and "[the pupil] smiled" in text


@pytest.mark.django_db
def test_the_addresses_staff_worked_from_are_not_in_the_export(world, client):
    """An address in the audit trail is about the member of staff, not the person: it stays out of their copy."""
    client.force_login(world.practitioner.user)
    client.get(f"/learners/{world.mine.pk}/", REMOTE_ADDR="10.9.8.7")
    assert AuditEntry.objects.filter(learner_id=world.mine.pk, address="10.9.8.7").exists()
    data, summary = exported(world, world.mine)
    assert "10.9.8.7" not in json.dumps(data) and "10.9.8.7" not in summary

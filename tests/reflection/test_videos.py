import io
import json

import av
import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from attunement.codings import services as coding_services
from attunement.codings.models import CodingEvent, CodingPass, EthogramCode
from attunement.means.models import MeetingKind, SupervisionMeeting
from attunement.organisations.models import AuditEntry, Role
from attunement.privacy.models import Consent
from attunement.privacy.services import consent_withdraw
from attunement.reflection import video_services
from attunement.reflection.models import Clip, SessionVideo, VideoComment, VideoRating, VideoStatus

from ..conftest import login
from .conftest import a_session
from .videos import add_url, consent, media_files, sample_bytes, uploaded, video_file


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def player(video, name="video", **kwargs):
    return reverse(f"reflection:{name}", kwargs={"video_id": video.pk, **kwargs})


def words(response) -> str:
    return response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')


@pytest.mark.django_db(transaction=True)
class TestUpload:
    def test_a_practitioner_uploads_a_video_and_it_becomes_playable(self, world, client, settings):
        consent(world.mine)
        session = a_session(world)
        login(client, world.practitioner)
        response = client.post(add_url(session), {"file": video_file()}, HTTP_ACCEPT="application/json")
        assert response.status_code == 200, response.content
        video = SessionVideo.objects.get()
        assert response.json() == {"url": player(video)}
        assert (video.status, video.progress, video.width, video.height) == (VideoStatus.READY, 1.0, 320, 240)
        assert video.duration == pytest.approx(3.0, abs=0.1)
        assert video.original.name.endswith("original.mp4") and video.uploaded_by == world.practitioner

        page = client.get(player(video))
        assert page.status_code == 200
        assert player(video, "video_proxy") in words(page)
        assert AuditEntry.objects.filter(
            action="video.read", target_id=video.pk, actor=world.practitioner.user
        ).exists()

        whole = client.get(player(video, "video_proxy"))
        body = b"".join(whole.streaming_content)
        assert whole["Content-Type"] == "video/mp4" and whole["Accept-Ranges"] == "bytes"
        with av.open(io.BytesIO(body)) as proxy:
            assert proxy.streams.video[0].codec_context.name == "h264"
            assert proxy.streams.audio[0].codec_context.name == "aac"
        part = client.get(player(video, "video_proxy"), HTTP_RANGE="bytes=100-199")
        assert part.status_code == 206
        assert part["Content-Range"] == f"bytes 100-199/{len(body)}"
        assert b"".join(part.streaming_content) == body[100:200]
        assert client.get(player(video, "video_proxy"), HTTP_RANGE=f"bytes={len(body)}-").status_code == 416
        poster = client.get(player(video, "video_poster"))
        assert b"".join(poster.streaming_content)[:3] == b"\xff\xd8\xff"

    def test_the_file_s_content_decides_not_its_name(self, world, client):
        consent(world.mine)
        session = a_session(world)
        login(client, world.practitioner)
        response = client.post(add_url(session), {"file": video_file(name="notes.txt")})
        assert response.status_code == 302
        assert SessionVideo.objects.get().original.name.endswith(".mp4")

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            (b"", "The file is empty"),
            (b"\x00\x01garbage" * 500, "could not be read as a video"),
            (sample_bytes()[:4000], "damaged or incomplete"),
            (sample_bytes()[: len(sample_bytes()) // 2], "damaged or incomplete"),
        ],
    )
    def test_a_file_that_is_not_a_whole_video_is_refused_and_leaves_nothing(
        self, world, client, settings, data, message
    ):
        consent(world.mine)
        session = a_session(world)
        login(client, world.practitioner)
        response = client.post(add_url(session), {"file": video_file(data, name="clip.mp4")})
        assert response.status_code == 400
        assert message in words(response)
        assert not SessionVideo.objects.exists() and media_files(settings.MEDIA_ROOT) == []

    def test_a_file_over_the_size_limit_is_refused_while_it_streams_in(self, world, client, settings):
        consent(world.mine)
        settings.VIDEO_MAX_BYTES = 10_000
        session = a_session(world)
        login(client, world.practitioner)
        response = client.post(add_url(session), {"file": video_file()}, HTTP_ACCEPT="application/json")
        assert response.status_code == 400
        assert response.json()["errors"] == [
            "The file is larger than 9.8 KB. Please trim the video, or film a shorter part."
        ]
        assert not SessionVideo.objects.exists() and media_files(settings.MEDIA_ROOT) == []

    def test_without_consent_to_video_nothing_can_be_added(self, world, client, settings):
        session = a_session(world)
        login(client, world.practitioner)
        assert "no consent to video recording in force" in words(client.get(add_url(session)))
        response = client.post(add_url(session), {"file": video_file()})
        assert response.status_code == 400
        assert "there is no consent to video recording in force" in words(response)
        assert not SessionVideo.objects.exists() and media_files(settings.MEDIA_ROOT) == []

    def test_the_upload_checks_the_csrf_token_itself(self, world, settings):
        from django.test import Client

        consent(world.mine)
        session = a_session(world)
        strict = Client(enforce_csrf_checks=True)
        login(strict, world.practitioner)
        assert strict.post(add_url(session), {"file": video_file()}).status_code == 403
        assert not SessionVideo.objects.exists()

    def test_a_video_that_cannot_be_converted_is_marked_failed_with_the_reason(self, world, tmp_path, monkeypatch):
        from attunement.media import MediaProblem
        from attunement.reflection import tasks

        def broken(*args, **kwargs):
            raise MediaProblem("The video stops part of the way through.")

        monkeypatch.setattr(tasks, "make_proxy", broken)
        consent(world.mine)
        video = uploaded(world, a_session(world), tmp_path)
        assert video.status == VideoStatus.FAILED and video.problem == "The video stops part of the way through."
        assert not video.is_ready


@pytest.mark.django_db(transaction=True)
class TestWhoSeesAVideo:
    def test_staff_who_work_with_the_person_see_it_a_mentor_once_shared_and_others_never(self, world, client, tmp_path):
        consent(world.mine)
        video = uploaded(world, a_session(world), tmp_path)
        mentor = world.member(world.school, Role.PRACTITIONER, name="mentor")
        login(client, mentor)
        assert client.get(player(video)).status_code == 404
        assert client.get(player(video, "video_proxy")).status_code == 404
        video_services.video_share(actor=world.practitioner, video=video, member=mentor)
        assert client.get(player(video)).status_code == 200
        assert "Shared with me" in words(client.get(reverse("reflection:videos")))
        for member in (world.members[Role.FAMILY], world.members[Role.EXTERNAL], world.other_coordinator):
            login(client, member)
            assert client.get(player(video)).status_code in (403, 404), member.role
            assert client.get(player(video, "video_proxy")).status_code in (403, 404), member.role

    def test_sharing_with_the_team_lets_every_member_of_staff_watch(self, world, client, tmp_path):
        consent(world.mine)
        video = uploaded(world, a_session(world), tmp_path)
        colleague = world.member(world.school, Role.THERAPIST, name="colleague")
        login(client, colleague)
        assert client.get(player(video)).status_code == 404
        login(client, world.practitioner)
        client.post(player(video, "video_share"), {"team": "on"})
        login(client, colleague)
        assert client.get(player(video)).status_code == 200
        assert player(video) in words(client.get(reverse("reflection:videos")))

    def test_only_the_uploader_or_a_leader_shares_or_deletes(self, world, client, tmp_path):
        consent(world.mine)
        video = uploaded(world, a_session(world), tmp_path)
        therapist = world.members[Role.THERAPIST]  # works with Mina too
        login(client, therapist)
        assert client.get(player(video)).status_code == 200
        assert client.post(player(video, "video_delete")).status_code == 403
        assert client.post(player(video, "video_share"), {"team": "on"}).status_code == 403
        assert client.get(player(video, "video_original")).status_code == 403
        login(client, world.coordinator)
        original = client.get(player(video, "video_original"))
        assert original.status_code == 200 and "attachment" in original["Content-Disposition"]
        assert AuditEntry.objects.filter(action="video.original_downloaded").count() == 1

    def test_withdrawn_consent_hides_the_video_at_once_and_the_clean_up_deletes_it(
        self, world, client, tmp_path, settings
    ):
        given = consent(world.mine)
        session = a_session(world)
        video = uploaded(world, session, tmp_path)
        pass_id = coding_services.event_code(
            actor=world.practitioner, video=video, code_key="L-smiles", time=1.0
        ).coding_pass_id
        assert media_files(settings.MEDIA_ROOT)
        login(client, world.practitioner)
        with transaction.atomic():  # the clean-up task is queued for after the commit: first, only hiding
            consent_withdraw(actor=world.coordinator, consent=given, withdrawn_on=today(), note="Family asked")
            assert client.get(player(video)).status_code == 404
            assert client.get(player(video, "video_proxy")).status_code == 404
            assert SessionVideo.objects.filter(pk=video.pk).exists()
        # Then the clean-up task ran (tests run tasks at once).
        assert Consent.objects.get(pk=given.pk).media_items_removed == 1
        assert not SessionVideo.objects.exists() and media_files(settings.MEDIA_ROOT) == []
        # The coding stays: it is numbers about the session, not film.
        assert CodingPass.objects.get(pk=pass_id).video_id is None

    def test_deleting_a_video_removes_its_files(self, world, client, tmp_path, settings):
        consent(world.mine)
        video = uploaded(world, a_session(world), tmp_path)
        login(client, world.practitioner)
        assert client.post(player(video, "video_delete")).status_code == 302
        assert not SessionVideo.objects.exists() and media_files(settings.MEDIA_ROOT) == []


@pytest.mark.django_db(transaction=True)
class TestCodingInThePlayer:
    def test_points_and_states_are_saved_to_the_coder_s_own_pass(self, world, client, tmp_path):
        consent(world.mine)
        video = uploaded(world, a_session(world), tmp_path)
        login(client, world.practitioner)
        events = player(video, "video_events")
        assert client.post(events, {"code": "L-smiles", "time": "1.24"}).status_code == 201
        assert client.post(events, {"code": "L-looks", "time": "0.5", "end": "2.0"}).status_code == 201
        refused = client.post(events, {"code": "L-looks", "time": "0.5"})
        assert refused.status_code == 400 and "please mark where it stops" in refused.json()["errors"][0]
        assert client.post(events, {"code": "nonsense", "time": "1"}).status_code == 400
        outside = client.post(events, {"code": "L-smiles", "time": "99"})
        assert "outside the video" in outside.json()["errors"][0]
        listed = client.get(events).json()["events"]
        assert [(e["code"], e["time"], e["end"], e["modifiers"]) for e in listed] == [
            ("L-looks", 0.5, 2.0, ""),
            ("L-smiles", 1.24, None, ""),
        ]
        coding_pass = CodingPass.objects.get()
        assert (coding_pass.source, coding_pass.video, coding_pass.media_duration) == ("entered", video, video.duration)
        stats = client.get(
            reverse(
                "reflection:pass",
                kwargs={"learner_id": world.mine.pk, "session_id": video.session_id, "pass_id": coding_pass.pk},
            )
        )
        assert "Learner smiles or laughs" in words(stats)

        login(client, world.members[Role.THERAPIST])
        assert client.get(events).json()["events"] == []  # each coder has their own pass
        assert client.post(listed[0]["remove"]).status_code == 404
        login(client, world.practitioner)
        assert client.post(listed[0]["remove"]).status_code == 200
        assert [e["code"] for e in client.get(events).json()["events"]] == ["L-smiles"]

    def test_modifiers_are_chosen_from_the_code_s_pick_lists(self, world, client, tmp_path):
        consent(world.mine)
        video = uploaded(world, a_session(world), tmp_path)
        EthogramCode.objects.filter(organisation=world.school, key="L-vocalises").update(
            modifier_sets=[
                {"name": "Sound", "values": ["hum (h)", "squeal (q)", "word  "], "multiple": False},
                {"name": "With", "values": ["hands", "feet"], "multiple": True},
            ]
        )
        login(client, world.practitioner)
        # The player is told each list, each choice as it is saved and the key that picks it.
        setup = client.get(player(video)).context["player_setup"]
        [vocalises] = [c for c in setup["codes"] if c["key"] == "L-vocalises"]
        assert vocalises["modifierSets"] == [
            {
                "name": "Sound",
                "multiple": False,
                "description": "",
                "choices": [
                    {"value": "hum", "key": "h"},
                    {"value": "squeal", "key": "q"},
                    {"value": "word  ", "key": ""},
                ],
            },
            {
                "name": "With",
                "multiple": True,
                "description": "",
                "choices": [{"value": "hands", "key": ""}, {"value": "feet", "key": ""}],
            },
        ]
        events = player(video, "video_events")
        for modifiers in ("squeal|feet,hands", "None|None", "word  |hands", ""):
            answer = client.post(events, {"code": "L-vocalises", "time": "1", "modifiers": modifiers})
            assert answer.status_code == 201 and answer.json()["event"]["modifiers"] == modifiers
        refusals = {
            "sing|None": "“sing” is not one of the choices for Sound",
            "hum (h)|None": "“hum (h)” is not one of the choices for Sound",
            "hum,squeal|None": "is not one of the choices for Sound",  # Sound takes one value
            "hum|hands,hands": "is not one of the choices for With",
            "hum": "has 2 modifier lists",
            "hum|hands|feet": "has 2 modifier lists",
        }
        for modifiers, words_said in refusals.items():
            answer = client.post(events, {"code": "L-vocalises", "time": "2", "modifiers": modifiers})
            assert answer.status_code == 400 and words_said in answer.json()["errors"][0], modifiers
            assert "Nothing was saved" in answer.json()["errors"][0]
        plain = client.post(events, {"code": "L-smiles", "time": "2", "modifiers": "broadly"})
        assert plain.status_code == 400 and "has no modifiers to choose from" in plain.json()["errors"][0]
        saved = CodingEvent.objects.filter(coding_pass__video=video).order_by("pk")
        assert list(saved.values_list("code", "time", "modifiers")) == [
            ("L-vocalises", 1.0, "squeal|feet,hands"),
            ("L-vocalises", 1.0, "None|None"),
            ("L-vocalises", 1.0, "word  |hands"),
            ("L-vocalises", 1.0, ""),
        ]

        # The BORIS project, the ELAN file and the CSV carry them as each writes modifiers.
        coding_pass = CodingPass.objects.get()
        url = reverse(
            "reflection:export",
            kwargs={"learner_id": world.mine.pk, "session_id": video.session_id, "pass_id": coding_pass.pk},
        )
        choosing = client.get(url).content.decode()  # the page offering the three files: nothing has gone wrong
        assert "BORIS project (.boris)" in choosing and "There is a problem" not in choosing
        project = json.loads(client.get(url, {"as": "boris"}).content)
        [observation] = project["observations"].values()
        assert sorted(row[3] for row in observation["events"]) == ["", "None|None", "squeal|feet,hands", "word  |hands"]
        behaviours = {b["code"]: b for b in project["behaviors_conf"].values()}
        assert [s["name"] for s in behaviours["L-vocalises"]["modifiers"].values()] == ["Sound", "With"]
        csv_text = client.get(url, {"as": "csv"}).content.decode("utf-8-sig")
        assert "squeal|feet,hands" in csv_text and "word  |hands" in csv_text
        eaf = client.get(url, {"as": "eaf"}).content.decode()
        assert "<ANNOTATION_VALUE>squeal|feet,hands</ANNOTATION_VALUE>" in eaf

    def test_a_mentor_without_the_person_s_records_can_comment_but_not_code(self, world, client, tmp_path):
        consent(world.mine)
        video = uploaded(world, a_session(world), tmp_path)
        mentor = world.member(world.school, Role.PRACTITIONER, name="mentor")
        video_services.video_share(actor=world.practitioner, video=video, member=mentor)
        login(client, mentor)
        assert client.post(player(video, "video_events"), {"code": "L-smiles", "time": "1"}).status_code == 403
        assert "Code this video" not in words(client.get(player(video)))


@pytest.mark.django_db(transaction=True)
class TestMentoring:
    def test_comments_replies_and_an_agreed_action_that_lands_in_supervision(self, world, client, tmp_path):
        consent(world.mine)
        video = uploaded(world, a_session(world), tmp_path)
        mentor = world.member(world.school, Role.PRACTITIONER, name="mentor")
        video_services.video_share(actor=world.practitioner, video=video, member=mentor)

        login(client, world.practitioner)
        client.post(player(video, "video_comment_add"), {"time": "2.04", "text": "I joined in too soon here."})
        note = VideoComment.objects.get()
        assert note.time == 2.04

        login(client, mentor)
        client.post(player(video, "video_comment_add"), {"reply_to": note.pk, "text": "Try counting to ten first."})
        assert note.replies.get().text == "Try counting to ten first."
        response = client.post(
            player(video, "video_comment_action", comment_id=note.pk),
            {"text": "Wait ten seconds before joining in", "owner": "filmed_by", "due_on": ""},
        )
        assert response.status_code == 302
        meeting = SupervisionMeeting.objects.get()
        assert (meeting.kind, meeting.supervisor, meeting.supervisee) == (
            MeetingKind.VIDEO_REFLECTION,
            mentor,
            world.practitioner,
        )
        action = meeting.actions.get()
        assert (action.text, action.owner) == ("Wait ten seconds before joining in", world.practitioner)
        assert "0:02" in meeting.notes and "joined in too soon" not in meeting.notes  # the note stays with the video
        page = words(client.get(player(video)))
        assert "Agreed action: Wait ten seconds before joining in" in page
        again = client.post(player(video, "video_comment_action", comment_id=note.pk), {"text": "x", "owner": "mentor"})
        assert again.status_code == 302 and SupervisionMeeting.objects.count() == 1

    def test_empty_or_misplaced_comments_change_nothing(self, world, client, tmp_path):
        consent(world.mine)
        video = uploaded(world, a_session(world), tmp_path)
        login(client, world.practitioner)
        client.post(player(video, "video_comment_add"), {"time": "1", "text": "   "})
        client.post(player(video, "video_comment_add"), {"time": "-3", "text": "Before the start"})
        client.post(player(video, "video_comment_add"), {"time": "abc", "text": "Nowhere"})
        assert not VideoComment.objects.exists()
        follow = client.post(player(video, "video_comment_add"), {"time": "500", "text": "Late"}, follow=True)
        assert "outside the video" in words(follow)


@pytest.mark.django_db(transaction=True)
class TestRatings:
    def test_interval_ratings_on_the_seven_levels_and_the_four_three_point_ratings(self, world, client, tmp_path):
        consent(world.mine)
        video = uploaded(world, a_session(world), tmp_path, seconds=3.0)
        seven = world.school.scales.get(preset="engagement_7")
        login(client, world.practitioner)
        rate = player(video, "video_rate")
        common = {"interval": "30", "start": "0"}
        ok = client.post(
            rate,
            {**common, "scheme": "scale", "scale": seven.pk, "item": "level", "value": "5"},
            HTTP_ACCEPT="application/json",
        )
        assert ok.json() == {"saved": True, "value": 5}
        client.post(rate, {**common, "scheme": "scale", "scale": seven.pk, "item": "level", "value": "6"})
        client.post(rate, {**common, "scheme": "zeedyk", "item": "gaze", "value": "3"})
        assert sorted(VideoRating.objects.values_list("item", "value")) == [("gaze", 3), ("level", 6)]
        for bad in (
            {**common, "scheme": "zeedyk", "item": "gaze", "value": "4"},
            {**common, "scheme": "zeedyk", "item": "mood", "value": "2"},
            {**common, "start": "30", "scheme": "zeedyk", "item": "gaze", "value": "2"},  # the video is 3 s long
            {**common, "scheme": "scale", "scale": seven.pk, "item": "level", "value": "8"},
        ):
            response = client.post(rate, bad, HTTP_ACCEPT="application/json")
            assert response.status_code == 400 and response.json()["errors"], bad
        client.post(rate, {**common, "scheme": "zeedyk", "item": "gaze", "value": ""})
        assert list(VideoRating.objects.values_list("item", "value")) == [("level", 6)]
        page = words(client.get(player(video)))
        assert '<option value="6" selected>6 Involvement</option>' in page
        assert "Everyone's ratings" not in page  # one rater so far

        login(client, world.coordinator)  # a second rater, for moderation
        client.post(rate, {**common, "scheme": "scale", "scale": seven.pk, "item": "level", "value": "6"})
        page = words(client.get(player(video)))
        assert "Everyone's ratings (Coordinator, Practitioner)" in page
        assert "they agree exactly 1 time out of 1" in page
        assert "Coordinator: 6<br>Practitioner: 6" in page


@pytest.mark.django_db(transaction=True)
class TestClipLibrary:
    def test_a_clip_needs_consent_for_training_and_leaves_the_library_when_it_is_withdrawn(
        self, world, client, tmp_path, settings
    ):
        consent(world.mine)
        video = uploaded(world, a_session(world), tmp_path)
        login(client, world.practitioner)
        fields = {"start": "0.5", "end": "2", "title": "Waiting for a response", "teaching_point": "Pausing"}
        refused = client.post(player(video, "video_clip_add"), fields, follow=True)
        assert "no consent to sharing clips for staff training" in words(refused)
        assert not Clip.objects.exists()

        training = consent(world.mine, "training")
        client.post(player(video, "video_clip_add"), fields)
        clip = Clip.objects.get()
        assert clip.file.name.endswith(f"clip-{clip.pk}.mp4")
        with av.open(clip.file.path) as cut:
            assert float(cut.duration / 1_000_000) == pytest.approx(1.5, abs=0.15)

        colleague = world.member(world.school, Role.THERAPIST, name="colleague")  # does not work with Mina
        login(client, colleague)
        assert "Waiting for a response" in words(client.get(reverse("reflection:library")))
        assert client.get(reverse("reflection:library_clip", kwargs={"clip_id": clip.pk})).status_code == 200
        assert client.get(reverse("reflection:library_clip_file", kwargs={"clip_id": clip.pk})).status_code == 200
        assert client.get(player(video, "video_proxy")).status_code == 404  # the clip, never the whole video

        login(client, world.members[Role.FAMILY])
        assert client.get(reverse("reflection:library")).status_code == 403

        with transaction.atomic():
            consent_withdraw(actor=world.coordinator, consent=training, withdrawn_on=today())
            login(client, colleague)
            assert "Waiting for a response" not in words(client.get(reverse("reflection:library")))
            assert client.get(reverse("reflection:library_clip_file", kwargs={"clip_id": clip.pk})).status_code == 404
        assert Consent.objects.get(pk=training.pk).media_items_removed == 1
        assert not Clip.objects.exists() and SessionVideo.objects.exists()
        assert not list((settings.MEDIA_ROOT / "videos").rglob("clip-*"))


def today():
    return timezone.localdate()


@pytest.mark.django_db(transaction=True)
def test_every_role_on_every_video_page(world, client, tmp_path):
    """Staff who work with the person reach every video page; family and external viewers reach none."""
    from attunement.reflection.policies import video_policy

    from ..test_isolation import all_named_routes

    consent(world.mine)
    video = uploaded(world, a_session(world), tmp_path)
    routes = [name for name, params in all_named_routes() if params == ["video_id"]]
    assert len(routes) == 13
    for role, member in world.members.items():
        login(client, member)
        may_watch = video_policy.allows(member, "view", video)
        assert may_watch == (role not in (Role.FAMILY, Role.EXTERNAL)), role
        for name in ("reflection:video", "reflection:video_status", "reflection:video_proxy"):
            status = client.get(reverse(name, kwargs={"video_id": video.pk})).status_code
            assert status == (200 if may_watch else 404), (role, name, status)
        if not may_watch:
            for name in routes:
                assert client.post(reverse(name, kwargs={"video_id": video.pk})).status_code == 404, (role, name)
    assert SessionVideo.objects.filter(pk=video.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_the_subject_access_export_holds_the_videos_and_codings_and_erasure_removes_the_files(
    world, tmp_path, settings
):
    import json
    import zipfile

    from attunement.records.services import learner_erase, subject_access_export

    consent(world.mine)
    video = uploaded(world, a_session(world), tmp_path)
    coding_services.event_code(actor=world.practitioner, video=video, code_key="L-smiles", time=1.5)
    video_services.comment_add(actor=world.practitioner, video=video, time=1.5, text="A big smile")
    exported = subject_access_export(actor=world.coordinator, learner=world.mine)
    with zipfile.ZipFile(exported.file) as archive:
        data = json.loads(archive.read("data.json"))
        [entry] = data["videos"]
        assert archive.read(entry["file"]) == video.original.open("rb").read()
    assert entry["comments"][0]["text"] == "A big smile" and entry["duration_seconds"] == video.duration
    [coding] = data["codings"]
    assert coding["video_id"] == video.pk and coding["events"][0]["code"] == "L-smiles"

    learner_erase(actor=world.coordinator, learner=world.mine, typed_name=world.mine.full_name)
    assert not SessionVideo.objects.exists() and media_files(settings.MEDIA_ROOT) == []


@pytest.mark.django_db(transaction=True)
def test_while_the_proxy_is_made_the_page_shows_how_far_it_has_got(world, client, tmp_path):
    consent(world.mine)
    video = uploaded(world, a_session(world), tmp_path)
    SessionVideo.objects.filter(pk=video.pk).update(status=VideoStatus.PROCESSING, progress=0.42, proxy="")
    login(client, world.practitioner)
    assert client.get(player(video, "video_status")).json() == {
        "status": "processing",
        "label": "Being prepared for playing",
        "progress": 0.42,
        "problem": "",
        "ready": False,
        "proxy": "",
        "poster": player(video, "video_poster"),
        "analysis": {"status": "done", "label": "Done", "progress": 1.0, "problem": ""},  # from the earlier copy
    }
    page = words(client.get(player(video)))
    assert "Preparing the video for playing" in page and "42.0% done" in page
    assert client.get(player(video, "video_proxy")).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_legal_hold_keeps_videos_until_it_is_lifted(world, client, tmp_path, settings):
    from attunement.privacy.services import legal_hold_lift, legal_hold_place

    given = consent(world.mine)
    video = uploaded(world, a_session(world), tmp_path)
    legal_hold_place(actor=world.coordinator, learner=world.mine, reason="Complaint under way")
    login(client, world.practitioner)
    refused = client.post(player(video, "video_delete"), follow=True)
    assert "A legal hold is in place" in words(refused) and SessionVideo.objects.exists()

    consent_withdraw(actor=world.coordinator, consent=given, withdrawn_on=today())
    assert client.get(player(video)).status_code == 404  # hidden at once
    assert SessionVideo.objects.exists() and media_files(settings.MEDIA_ROOT)  # but kept under the hold

    legal_hold_lift(actor=world.coordinator, learner=world.mine)
    assert not SessionVideo.objects.exists() and media_files(settings.MEDIA_ROOT) == []

"""The interaction analysis in the product: measured when a video is ready, shown on its page and over time on
the person's progress page, run again with other settings, and corrected by the reviewer."""

import numpy as np
import pytest
from django.urls import reverse

from attunement.interaction import analyses as interaction
from attunement.interaction.models import AnalysisStatus, VideoAnalysis
from attunement.organisations.models import AuditEntry, Role
from attunement.reflection.models import SessionVideo
from attunement.reflection.video_services import video_upload

from ..analysis.videos import alternating_tones, delayed, on_off_pattern, write_video
from ..conftest import login
from .conftest import a_session
from .videos import consent

FPS, SECONDS = 25, 70


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="module")
def learner_leads(tmp_path_factory):
    """Two people on screen: the right-hand one (the partner) repeats the left-hand one's movements 1 s later;
    two voices, one high and one low, take turns."""
    rng = np.random.default_rng(3)
    leader = on_off_pattern(SECONDS * FPS, FPS, rng)
    path = tmp_path_factory.mktemp("interaction") / "leads.mp4"
    write_video(path, left=leader, right=delayed(leader, FPS), tones=alternating_tones(SECONDS, rng), seed=3)
    return path.read_bytes()


def filmed(world, tmp_path, data) -> SessionVideo:
    path = tmp_path / f"film-{SessionVideo.objects.count()}.mp4"
    path.write_bytes(data)
    video = video_upload(
        actor=world.practitioner, session=a_session(world), path=str(path), size=len(data), original_name="f.mp4"
    )
    video.refresh_from_db()
    return video


def page(client, video) -> str:
    return client.get(reverse("reflection:video", args=[video.pk])).content.decode().replace("&#x27;", "'")


@pytest.mark.django_db(transaction=True)
def test_a_video_is_measured_once_it_plays_and_the_page_says_who_led(world, client, tmp_path, learner_leads):
    consent(world.mine)
    video = filmed(world, tmp_path, learner_leads)
    analysis = VideoAnalysis.objects.get(video=video)
    assert analysis.status == AnalysisStatus.DONE and analysis.requested_by is None
    assert analysis.preset == "short"  # a video of a few minutes
    assert analysis.engine_version and analysis.results["video"]["duration_s"] == pytest.approx(SECONDS, abs=0.2)
    figures = interaction.headline(analysis)
    assert figures.leader == "learner" and figures.best_lag_s == pytest.approx(1.0, abs=0.25)
    assert figures.beyond_chance and figures.exchanges > 5

    login(client, world.practitioner)
    shown = page(client, video)
    assert "Measured by the computer" in shown and "More in step than chance" in shown
    assert "Mina led" in shown and "Moments to watch first" in shown
    assert "the partner following Mina by 1.0 s" in shown
    assert 'class="tc-window' in shown and "data-seek=" in shown  # the time course jumps the video
    assert "tc-window tc-high" in shown and "even counting how many stretches were looked at" in shown
    assert "measured by an older version" not in shown

    session = " ".join(
        client.get(reverse("practice:session", args=[world.mine.pk, video.session_id])).content.decode().split()
    )
    assert "Measured from the video" in session and "more in step than chance; Mina led;" in session

    progress = client.get(reverse("practice:progress", args=[world.mine.pk])).content.decode()
    assert "Interaction measured from video" in progress and reverse("reflection:video", args=[video.pk]) in progress


@pytest.mark.django_db(transaction=True)
def test_measuring_again_keeps_the_earlier_run_and_checks_the_boxes(world, client, tmp_path, learner_leads):
    consent(world.mine)
    video = filmed(world, tmp_path, learner_leads)
    login(client, world.practitioner)
    url = reverse("reflection:video_analysis_request", args=[video.pk])
    for bad, message in (
        ({"preset": "long"}, "Please choose standard or short session"),
        ({"preset": "short", "learner_region": "0,0,400,180"}, "must lie inside the picture, which is 320 × 180"),
        ({"preset": "short", "partner_region": "a,b"}, "four whole numbers"),
        ({"preset": "short", "learner_voice": "loud"}, "the higher or the lower"),
    ):
        response = client.post(url, bad, follow=True)
        assert message in response.content.decode().replace("&#x27;", "'"), bad
    assert VideoAnalysis.objects.filter(video=video).count() == 1

    # Boxes round each person the other way about: now the "learner" box holds the follower.
    client.post(url, {"preset": "standard", "learner_region": "160,0,160,180", "partner_region": "0,0,160,180"})
    first, second = VideoAnalysis.objects.filter(video=video).order_by("pk")
    assert (second.preset, second.learner_region, second.requested_by) == (
        "standard",
        "160,0,160,180",
        world.practitioner,
    )
    assert interaction.headline(second).leader == "partner" and interaction.headline(first).leader == "learner"
    assert AuditEntry.objects.filter(action="video_analysis.requested", target_id=second.pk).exists()

    # The person's voice said to be the lower one: every suggested speaker turns round.
    client.post(url, {"preset": "short", "learner_voice": "lower"})
    third = VideoAnalysis.objects.filter(video=video).order_by("pk").last()
    assert third.learner_voice == "lower"
    swap = {"learner": "partner", "partner": "learner"}
    first_speakers = [s["speaker"] for s in first.results["vocal"]["segments"]]
    assert "learner" in first_speakers and "partner" in first_speakers
    assert [s["speaker"] for s in third.results["vocal"]["segments"]] == [swap.get(s, s) for s in first_speakers]

    # While a new run waits for the worker, the page says so and still shows the last figures.
    VideoAnalysis.objects.create(video=video, preset="short")
    page = client.get(reverse("reflection:video", args=[video.pk])).content.decode()
    assert "Measuring again with the new settings (waiting to start)" in page and "Moving in step" in page


@pytest.mark.django_db(transaction=True)
def test_the_reviewer_corrects_who_made_a_sound_and_the_exchanges_follow(world, client, tmp_path, learner_leads):
    consent(world.mine)
    video = filmed(world, tmp_path, learner_leads)
    analysis = VideoAnalysis.objects.get(video=video)
    before = interaction.headline(analysis)
    segments = analysis.results["vocal"]["segments"]
    assert {s["speaker"] for s in segments} == {"learner", "partner"}
    login(client, world.practitioner)
    url = reverse("reflection:video_analysis_speaker", args=[video.pk, analysis.pk])
    for index in range(len(segments)):  # call every sound the partner's: nobody answers anybody
        client.post(url, {"segment": index, "speaker": "partner"})
    analysis.refresh_from_db()
    after = interaction.headline(analysis)
    assert before.exchanges > 0 and after.exchanges == 0 and after.learner_voice_share == 0
    assert analysis.results["vocal"]["segments"] == segments  # what the engine found is kept as it was
    assert "corrected" in page(client, video)
    refused = client.post(url, {"segment": len(segments), "speaker": "partner"}, follow=True)
    assert "That sound is not in this analysis" in refused.content.decode()


@pytest.mark.django_db(transaction=True)
def test_only_people_who_may_watch_the_video_see_or_change_its_measurements(world, client, tmp_path, learner_leads):
    consent(world.mine)
    video = filmed(world, tmp_path, learner_leads)
    analysis = VideoAnalysis.objects.get(video=video)
    for member in (world.members[Role.FAMILY], world.members[Role.EXTERNAL], world.other_coordinator):
        login(client, member)
        assert (
            client.post(reverse("reflection:video_analysis_request", args=[video.pk]), {"preset": "short"}).status_code
            == 404
        )
        speaker = reverse("reflection:video_analysis_speaker", args=[video.pk, analysis.pk])
        assert client.post(speaker, {"segment": 0, "speaker": "partner"}).status_code == 404
        progress = client.get(reverse("practice:progress", args=[world.mine.pk]))
        assert b"Interaction measured from video" not in progress.content
    assert VideoAnalysis.objects.count() == 1 and VideoAnalysis.objects.get().speaker_corrections == {}


@pytest.mark.django_db(transaction=True)
def test_the_measurements_are_in_the_subject_access_export(world, tmp_path, learner_leads):
    import json
    import zipfile

    from attunement.records.services import subject_access_export

    consent(world.mine)
    filmed(world, tmp_path, learner_leads)
    exported = subject_access_export(actor=world.coordinator, learner=world.mine)
    with zipfile.ZipFile(exported.file) as archive:
        [video] = json.loads(archive.read("data.json"))["videos"]
    [measured] = video["measurements"]
    assert measured["status"] == "Done" and measured["results"]["synchrony"]["leader"] == "learner"


def test_the_time_axis_is_labelled_at_round_times_and_never_cut_off_at_the_end():
    from attunement.interaction.analysis_chart import WIDTH, _ticks

    assert [t["label"] for t in _ticks(60)] == ["0:00", "0:15", "0:30", "0:45"]
    assert [t["label"] for t in _ticks(10 * 60)] == ["0:00", "2:00", "4:00", "6:00", "8:00"]
    assert [t["label"] for t in _ticks(3 * 3600)][:4] == ["0:00", "30:00", "1:00:00", "1:30:00"]
    for seconds in (5, 59, 61, 299, 1800, 4 * 3600):
        ticks = _ticks(seconds)
        assert 1 <= len(ticks) <= 8 and all(t["x"] <= WIDTH - 30 for t in ticks)


def test_the_trend_chart_puts_each_point_on_its_own_session_and_labels_both_scales():
    from datetime import date

    from attunement.interaction.analyses import TrendRow
    from attunement.interaction.trend_chart import trend_chart

    def row(day, z, share):
        return TrendRow(date(2026, 11, day), None, None, z, z is not None and z > 0.4, "neither", share, None)

    rows = [row(1, 0.2, 0.3), row(8, None, 0.5), row(15, 0.8, None)]  # the middle one not measured for movement
    chart = trend_chart(rows)
    assert [(p["row"].day.day, p["row"].synchrony_z) for p in chart["synchrony_points"]] == [(1, 0.2), (15, 0.8)]
    low, high = chart["synchrony_points"]
    assert high["y"] < low["y"] and high["x"] > low["x"]  # higher synchrony is drawn higher, later is further right
    assert [t["label"] for t in chart["synchrony_scale"]] == ["0", "0.8"]
    assert [t["label"] for t in chart["voice_scale"]] == ["0%", "100%"]
    assert chart["voice_path"].count("L") == 1  # two sessions with a share of the voice, joined by one line


def test_an_older_run_s_strip_says_to_measure_again():
    """Runs of engines before 1.2 did not compare each window with chance on its own: their strip is left pale and
    the legend says so."""
    import json
    from pathlib import Path

    from attunement.analysis.result import AnalysisResult
    from attunement.interaction.analysis_chart import time_course

    stored = json.loads((Path(__file__).parents[1] / "analysis" / "data" / "stored-engine-1.0.0.json").read_text())
    old = AnalysisResult.from_json(stored)
    chart = time_course(old, old.vocal.segments)
    assert chart["windows_judged"] is False and {w["strength"] for w in chart["windows"]} == {"none"}

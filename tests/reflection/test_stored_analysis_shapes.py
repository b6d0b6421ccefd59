"""Figures stored by an earlier engine still show on the video's page, the session page and the progress trend;
figures in a shape this version cannot read ask for a new measurement instead of breaking the page."""

import re

import pytest
from django.urls import reverse

from attunement.interaction.models import AnalysisStatus, VideoAnalysis

from ..analysis.test_result import stored_1_0
from ..conftest import login, shown
from .conftest import a_session
from .videos import consent, uploaded


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def text(response) -> str:
    assert response.status_code == 200
    words = re.sub(r"<[^>]+>", " ", shown(response)).replace("&#x27;", "'").replace("&quot;", '"')
    return " ".join(words.split()).replace(" .", ".").replace(" ,", ",").replace(" :", ":")


def stored_as(world, tmp_path, results, engine_version) -> VideoAnalysis:
    """A video whose only run holds ``results`` as a database from before would hold them."""
    consent(world.mine)
    video = uploaded(world, a_session(world), tmp_path)
    run = VideoAnalysis.objects.get(video=video)
    assert run.status == AnalysisStatus.DONE
    VideoAnalysis.objects.filter(pk=run.pk).update(results=results, engine_version=engine_version)
    run.refresh_from_db()
    return run


@pytest.mark.django_db(transaction=True)
def test_a_run_stored_by_engine_1_0_still_shows_its_figures(world, client, tmp_path):
    old = stored_1_0()
    run = stored_as(world, tmp_path, old, "1.0.0")
    login(client, world.practitioner)

    page = text(client.get(reverse("reflection:video", args=[run.video_id])))
    assert "More in step than chance" in page
    assert "Mina led: the partner's movement tended to follow, about 1.0 s later" in page
    assert "by engine 1.0.0" in page and "older version" not in page
    for window in old["synchrony"]["windows"]:  # the table of windows, from the stored figures
        assert f"{window['peak_z']:.2f}" in page
    assert f"Each sound, and who made it ({len(old['vocal']['segments'])})" in page

    session = text(client.get(reverse("practice:session", args=[world.mine.pk, run.video.session_id])))
    assert "Measured from the video: more in step than chance; Mina led;" in session

    # A correction of who spoke is kept against the old run, and the page counts with it.
    speaker = reverse("reflection:video_analysis_speaker", args=[run.video_id, run.pk])
    assert client.post(speaker, {"segment": 0, "speaker": "partner"}).status_code == 302
    run.refresh_from_db()
    assert run.speaker_corrections == {"0": "partner"} and run.results == old  # what was stored is kept as it was
    assert "corrected" in text(client.get(reverse("reflection:video", args=[run.video_id])))


@pytest.mark.django_db(transaction=True)
def test_figures_no_reader_knows_ask_for_a_new_measurement(world, client, tmp_path):
    run = stored_as(world, tmp_path, {"in_step": 0.42}, "2.1")
    login(client, world.practitioner)

    page = text(client.get(reverse("reflection:video", args=[run.video_id])))
    assert "measured by an older version of the analysis" in page and "Please measure the video again" in page
    assert "Measure again with other settings" in page and "Moving in step" not in page

    session = text(client.get(reverse("practice:session", args=[world.mine.pk, run.video.session_id])))
    assert "measured by an older version of the analysis" in session

    progress = text(client.get(reverse("practice:progress", args=[world.mine.pk])))
    assert "Interaction measured from video" not in progress  # nothing to draw: the run is left out

    speaker = reverse("reflection:video_analysis_speaker", args=[run.video_id, run.pk])
    refused = text(client.post(speaker, {"segment": 0, "speaker": "partner"}, follow=True))
    assert "Not changed" in refused and "Please measure the video again" in refused
    run.refresh_from_db()
    assert run.speaker_corrections == {}

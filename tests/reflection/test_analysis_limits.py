"""Measuring a video again: one measurement waiting or under way per video, and a cap per person per hour,
so no one can keep the worker from other people's videos."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from attunement.interaction.models import AnalysisStatus, VideoAnalysis

from ..conftest import login
from .conftest import a_session
from .videos import consent, uploaded

QUEUE_ONLY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def ready_video(world, settings, tmp_path):
    """A playable video whose first measurement is done; from then on, work is queued but never run."""
    settings.MEDIA_ROOT = tmp_path / "media"
    consent(world.mine)
    video = uploaded(world, a_session(world), tmp_path)
    settings.TASKS = QUEUE_ONLY
    assert not video.analyses.filter(status__in=[AnalysisStatus.QUEUED, AnalysisStatus.RUNNING]).exists()
    return video


def finish(video):
    video.analyses.filter(status__in=[AnalysisStatus.QUEUED, AnalysisStatus.RUNNING]).update(
        status=AnalysisStatus.FAILED, problem="Stopped for the test."
    )


def measure_again(client, video, **data):
    url = reverse("reflection:video_analysis_request", args=[video.pk])
    response = client.post(url, {"preset": "short", **data}, follow=True)
    return response.content.decode().replace("&#x27;", "'")


def queued_tasks():
    from django_tasks import default_task_backend

    return [r for r in default_task_backend.results if r.status == "READY"]


@pytest.mark.django_db(transaction=True)
def test_a_second_request_while_one_waits_says_so_and_queues_nothing(world, client, ready_video):
    login(client, world.practitioner)
    assert "being measured again" in measure_again(client, ready_video)
    assert len(queued_tasks()) == 1
    page = measure_again(client, ready_video, preset="standard")
    assert "already waiting to be measured, or being measured. Nothing new was queued" in page
    assert ready_video.analyses.filter(status=AnalysisStatus.QUEUED).count() == 1
    assert len(queued_tasks()) == 1
    # Another person asking meanwhile is told the same.
    login(client, world.coordinator)
    assert "already waiting to be measured" in measure_again(client, ready_video)
    assert ready_video.analyses.count() == 2
    # Once it is under way it still counts; once it has finished, the video may be measured again.
    ready_video.analyses.filter(status=AnalysisStatus.QUEUED).update(status=AnalysisStatus.RUNNING)
    assert "already waiting to be measured" in measure_again(client, ready_video)
    finish(ready_video)
    assert "being measured again" in measure_again(client, ready_video)
    assert ready_video.analyses.count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_person_may_ask_for_only_so_many_measurements_an_hour(world, client, ready_video, settings):
    settings.ANALYSIS_REQUESTS_PER_HOUR = 3
    login(client, world.practitioner)
    for _ in range(3):
        assert "being measured again" in measure_again(client, ready_video)
        finish(ready_video)
    page = measure_again(client, ready_video)
    assert "You have asked for 3 measurements in the last hour" in page and "Nothing new was queued" in page
    assert ready_video.analyses.filter(requested_by=world.practitioner).count() == 3
    # Someone else is not held back by it.
    login(client, world.coordinator)
    assert "being measured again" in measure_again(client, ready_video)
    finish(ready_video)
    # An hour after the first request, the practitioner may ask again.
    earliest = ready_video.analyses.filter(requested_by=world.practitioner).order_by("created_at").first()
    VideoAnalysis.objects.filter(pk=earliest.pk).update(created_at=timezone.now() - timedelta(minutes=61))
    login(client, world.practitioner)
    assert "being measured again" in measure_again(client, ready_video)

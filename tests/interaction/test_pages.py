"""The session page and the progress page read a person's videos and the measurement that counts for each in a
fixed number of queries, however many videos there are; and the one-query reading of the counting runs picks the
same run as the rule written out run by run."""

from datetime import timedelta
from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attunement.interaction.analyses import counting_run, counting_runs
from attunement.interaction.models import AnalysisStatus, VideoAnalysis
from attunement.reflection.models import SessionVideo, VideoStatus

from ..analysis.test_result import stored_1_0
from ..conftest import login, shown
from ..reflection.conftest import a_session
from ..reflection.videos import consent

_folders = count()


def a_video(world, session) -> SessionVideo:
    """A video's record only (no file): the pages read records, not films."""
    return SessionVideo.objects.create(
        session=session,
        uploaded_by=world.practitioner,
        folder=f"folder{next(_folders)}",
        original="videos/x/original.mp4",
        size_bytes=1000,
        duration=60.0,
        width=640,
        height=360,
        status=VideoStatus.READY,
    )


def measured(video, *, results, trial_too=True) -> VideoAnalysis:
    """A finished run that counts, and (by default) a later trial run that does not."""
    now = timezone.now()
    run = VideoAnalysis.objects.create(
        video=video, status=AnalysisStatus.DONE, results=results, engine_version="1.0.0", finished_at=now
    )
    if trial_too:
        VideoAnalysis.objects.create(
            video=video,
            status=AnalysisStatus.DONE,
            results=results,
            engine_version="1.0.0",
            finished_at=now + timedelta(1),
        )
    return run


def queries_for(client, url) -> tuple[int, str]:
    client.get(url)  # the first request after logging in also records the login's session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), shown(response)


@pytest.mark.django_db
def test_the_session_page_reads_all_its_videos_and_their_measurements_in_the_same_queries(world, client):
    consent(world.mine)
    session = a_session(world)
    results = stored_1_0()
    measured(a_video(world, session), results=results)
    login(client, world.practitioner)
    url = reverse("practice:session", args=[world.mine.pk, session.pk])
    one, page = queries_for(client, url)
    assert page.count("Measured from the video") == 1

    for _ in range(4):
        measured(a_video(world, session), results=results)
    a_video(world, session)  # and one not measured yet
    five, page = queries_for(client, url)

    assert page.count("Measured from the video") == 5
    assert page.count('class="video-list"') == 1 and page.count("<li>") >= 6
    assert five == one


@pytest.mark.django_db
def test_the_progress_page_reads_the_trend_of_every_filmed_session_in_the_same_queries(world, client):
    consent(world.mine)
    results = stored_1_0()
    for _ in range(2):
        measured(a_video(world, a_session(world)), results=results)
    login(client, world.practitioner)
    url = reverse("practice:progress", args=[world.mine.pk])
    two, page = queries_for(client, url)
    assert "Interaction measured from video" in page

    for _ in range(4):
        measured(a_video(world, a_session(world)), results=results)
    six, page = queries_for(client, url)

    assert page.count("#analysis") == 6  # one row a filmed session
    assert six == two


def rule_run_by_run(runs: list[VideoAnalysis]) -> VideoAnalysis | None:
    """The counting rule as it reads: the finished run chosen most recently, or, until anyone has chosen, the first
    run that finished."""
    finished = [run for run in runs if run.status == AnalysisStatus.DONE and run.results is not None]
    chosen = [run for run in finished if run.chosen_at is not None]
    if chosen:
        return max(chosen, key=lambda run: (run.chosen_at, run.pk))
    far_future = timezone.now() + timedelta(days=10**4)
    return min(finished, key=lambda run: (run.finished_at or far_future, run.pk), default=None)


a_run = st.fixed_dictionaries(
    {
        "done": st.booleans(),
        "finished": st.one_of(st.none(), st.integers(0, 3)),  # few values, so ties happen
        "chosen": st.one_of(st.none(), st.integers(0, 3)),
    }
)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(histories=st.lists(st.lists(a_run, max_size=5), min_size=1, max_size=4))
def test_the_counting_run_of_many_videos_at_once_is_the_rule_s_run_for_each(world, histories):
    session = a_session(world)
    start = timezone.now()
    videos = []
    for history in histories:
        video = a_video(world, session)
        for run in history:
            VideoAnalysis.objects.create(
                video=video,
                status=AnalysisStatus.DONE if run["done"] else AnalysisStatus.FAILED,
                results={"kept": True} if run["done"] else None,
                finished_at=None if run["finished"] is None else start + timedelta(minutes=run["finished"]),
                chosen_at=None if run["chosen"] is None else start + timedelta(minutes=run["chosen"]),
            )
        videos.append(video)

    at_once = counting_runs(SessionVideo.objects.filter(pk__in=[video.pk for video in videos]))

    for video in videos:
        expected = rule_run_by_run(list(video.analyses.all()))
        assert counting_run(video) == expected
        assert at_once.get(video.pk) == expected
    SessionVideo.objects.filter(pk__in=[video.pk for video in videos]).delete()

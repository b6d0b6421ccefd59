"""Measuring the interaction in a video, in the background (attunement.analysis). Started, counted, kept alive
and recovered like the videos' own work (attunement.reflection.tasks)."""

from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from attunement.media import MediaProblem
from attunement.reflection.tasks import Superseded, Work, progress_writer, work_mine, work_start, work_to_recover

from .models import AnalysisStatus, VideoAnalysis


@task()
def video_analyse(analysis_id: int) -> dict:
    """Measure movement, synchrony and voices in the video (attunement.analysis), on the proxy: it is small,
    so the analysis is fast, and its times are the original's. Progress is written as it goes. Safe to run
    twice: a finished run is left alone."""
    from attunement.analysis.motion import RegionProblem
    from attunement.analysis.pipeline import analyse

    analysis = VideoAnalysis.objects.select_related("video").filter(pk=analysis_id).first()
    if analysis is None or analysis.status == AnalysisStatus.DONE:
        return {"done": False}
    video = analysis.video
    if not video.proxy:
        VideoAnalysis.objects.filter(pk=analysis_id).update(
            status=AnalysisStatus.FAILED, problem="The video has no copy for playing yet."
        )
        return {"done": False}
    attempt = work_start(
        VideoAnalysis,
        analysis_id,
        ~Q(status=AnalysisStatus.DONE),
        status=AnalysisStatus.RUNNING,
        progress=0.0,
        problem="",
    )
    if attempt is None:
        return {"done": False}
    on_progress = progress_writer(VideoAnalysis, analysis_id, attempt)
    try:
        result = analyse(
            video.proxy.path,
            learner_region=analysis.learner_region or None,
            partner_region=analysis.partner_region or None,
            preset=analysis.preset,
            learner_voice=analysis.learner_voice,
            on_progress=on_progress,
        )
    except (MediaProblem, RegionProblem) as problem:
        work_mine(VideoAnalysis, analysis_id, attempt).update(
            status=AnalysisStatus.FAILED, problem=str(problem)[:500], heartbeat_at=timezone.now()
        )
        return {"done": False, "problem": str(problem)}
    except Superseded:
        return {"done": False}
    done = work_mine(VideoAnalysis, analysis_id, attempt).update(
        status=AnalysisStatus.DONE,
        progress=1.0,
        results=result.to_json(),
        engine_version=result.engine_version,
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    return {"done": bool(done)}


work_to_recover(
    Work(
        VideoAnalysis,
        video_analyse,
        Q(status__in=[AnalysisStatus.QUEUED, AnalysisStatus.RUNNING]),
        "measuring this video",
        queued_again={"status": AnalysisStatus.QUEUED, "progress": 0.0},
        failed={"status": AnalysisStatus.FAILED},
    )
)

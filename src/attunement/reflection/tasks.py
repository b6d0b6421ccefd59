"""Background work on videos: making the browser-playable proxy and the poster frame, cutting library clips into
their own files, and measuring the interaction (attunement.analysis)."""

import os
import time
from pathlib import Path

from django.core.files.storage import default_storage
from django.utils import timezone
from django_tasks import task

from .clipping import cut_clip
from .media import MediaProblem, make_proxy
from .models import AnalysisStatus, Clip, SessionVideo, VideoAnalysis, VideoStatus

PROGRESS_EVERY_SECONDS = 1.0


def _progress_writer(model, pk: int):
    """A callback taking fractions 0..1 that writes ``progress`` to the row at most once a second (and at the
    end), with a filtered update, so it never overwrites the row's other fields."""
    last_write = [0.0]

    def on_progress(fraction: float) -> None:
        now = time.monotonic()
        if now - last_write[0] >= PROGRESS_EVERY_SECONDS or fraction >= 1.0:
            last_write[0] = now
            model.objects.filter(pk=pk).update(progress=min(max(fraction, 0.0), 1.0))

    return on_progress


@task()
def video_proxy_make(video_id: int) -> dict:
    """Make the video's proxy (H.264/AAC MP4, 640×360 at most) and poster. Safe to run twice: a video that is
    ready, or that has been deleted meanwhile, is left alone. Progress is written as it goes so the page can
    show it."""
    video = SessionVideo.objects.filter(pk=video_id).first()
    if video is None or video.status == VideoStatus.READY:
        return {"made": False}
    folder = Path(default_storage.path(f"videos/{video.folder}"))
    proxy_tmp, poster_tmp = folder / "proxy.part.mp4", folder / "poster.part.jpg"
    on_progress = _progress_writer(SessionVideo, video_id)
    try:
        make_proxy(video.original.path, str(proxy_tmp), str(poster_tmp), on_progress=on_progress)
    except MediaProblem as problem:
        SessionVideo.objects.filter(pk=video_id).update(status=VideoStatus.FAILED, problem=str(problem)[:500])
        return {"made": False, "problem": str(problem)}
    os.replace(proxy_tmp, folder / "proxy.mp4")
    os.replace(poster_tmp, folder / "poster.jpg")
    updated = SessionVideo.objects.filter(pk=video_id).update(
        status=VideoStatus.READY,
        progress=1.0,
        problem="",
        proxy=f"videos/{video.folder}/proxy.mp4",
        poster=f"videos/{video.folder}/poster.jpg",
        ready_at=timezone.now(),
    )
    if not updated:  # deleted while the proxy was being made
        for leftover in ("proxy.mp4", "poster.jpg"):
            (folder / leftover).unlink(missing_ok=True)
        return {"made": False}
    for clip_id in Clip.objects.filter(video_id=video_id, file="").values_list("pk", flat=True):
        clip_file_make.enqueue(clip_id)  # clips kept before the proxy existed
    from .interaction import analysis_start

    video = SessionVideo.objects.filter(pk=video_id).first()
    if video is not None:  # not deleted in the meantime
        analysis_start(video)
    return {"made": True}


@task()
def clip_file_make(clip_id: int) -> dict:
    """Cut a library clip out of its video's proxy into a file of its own, so the library never serves the
    rest of the video. Safe to run twice."""
    clip = Clip.objects.select_related("video").filter(pk=clip_id).first()
    if clip is None or clip.file or not clip.video.proxy:
        return {"made": False}
    folder = Path(default_storage.path(f"videos/{clip.video.folder}"))
    name = f"clip-{clip.pk}.mp4"
    part = folder / f"{name}.part"
    try:
        cut_clip(clip.video.proxy.path, str(part), start=clip.start, end=clip.end)
    except MediaProblem as problem:
        part.unlink(missing_ok=True)
        return {"made": False, "problem": str(problem)}
    os.replace(part, folder / name)
    if not Clip.objects.filter(pk=clip_id).update(file=f"videos/{clip.video.folder}/{name}"):
        (folder / name).unlink(missing_ok=True)
        return {"made": False}
    return {"made": True}


@task()
def video_analyse(analysis_id: int) -> dict:
    """Measure movement, synchrony and voices in the video (attunement.analysis), on the proxy: it is small,
    so the analysis is fast, and its times are the original's. Progress is written as it goes. Safe to run
    twice: a finished run is left alone."""
    from attunement.analysis import ENGINE_VERSION
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
    VideoAnalysis.objects.filter(pk=analysis_id).update(status=AnalysisStatus.RUNNING, progress=0.0)
    on_progress = _progress_writer(VideoAnalysis, analysis_id)
    try:
        results = analyse(
            video.proxy.path,
            learner_region=analysis.learner_region or None,
            partner_region=analysis.partner_region or None,
            preset=analysis.preset,
            learner_voice=analysis.learner_voice,
            on_progress=on_progress,
        )
    except (MediaProblem, RegionProblem) as problem:
        VideoAnalysis.objects.filter(pk=analysis_id).update(status=AnalysisStatus.FAILED, problem=str(problem)[:500])
        return {"done": False, "problem": str(problem)}
    VideoAnalysis.objects.filter(pk=analysis_id).update(
        status=AnalysisStatus.DONE,
        progress=1.0,
        results=results,
        engine_version=results.get("engine_version", ENGINE_VERSION),
        finished_at=timezone.now(),
    )
    return {"done": True}

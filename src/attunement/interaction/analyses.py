"""The interaction analysis of session videos, in the product: asking for a run, correcting who spoke, and
the figures shown on the video's page and, over time, on the person's progress page.

The measuring itself is the pure engine in attunement.analysis; the run happens in the background task
interaction.tasks.video_analyse. Everything here checks permission through video_policy (consent included).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import BigIntegerField, Case, F, OuterRef, Q, Subquery, When
from django.utils import timezone
from PIL import Image

from attunement.analysis.result import AnalysisResult, Headline, Sound, UnreadableResult
from attunement.learners.models import Learner
from attunement.media import proxy_fit
from attunement.organisations.audit import audit_record
from attunement.organisations.models import Membership
from attunement.reflection.models import SessionVideo
from attunement.reflection.policies import video_policy
from attunement.reflection.video_selectors import videos_visible_to

from .analysis_chart import time_course
from .models import AnalysisStatus, VideoAnalysis
from .tasks import video_analyse

PRESETS = {"standard": "Standard (windows of 60 s)", "short": "Short session (windows of 30 s)"}
SHORT_SESSION_SECONDS = 6 * 60
SPEAKERS = ("learner", "partner")
LEARNER_VOICES = ("higher", "lower")


def proxy_size(video: SessionVideo) -> tuple[int, int]:
    """The proxy's picture size, in which regions are given: that of its poster, which is made with it at its
    size (a portrait proxy made before proxies kept portrait pictures at full height is 202 x 360, say); what
    :func:`attunement.media.make_proxy` makes when there is no poster to read."""
    if video.poster:
        try:
            with video.poster.open("rb") as file, Image.open(file) as image:
                return image.size
        except (OSError, ValueError):
            pass
    return proxy_fit(video.width, video.height)


def parse_region(text: str, video: SessionVideo, field: str) -> str:
    """'X,Y,W,H' in the proxy's pixels, inside the picture; '' for the default half."""
    text = (text or "").replace(" ", "")
    if not text:
        return ""
    width, height = proxy_size(video)
    try:
        x, y, w, h = (int(part) for part in text.split(","))
    except ValueError:
        raise ValidationError(
            {field: "Please give the box as four whole numbers: left, top, width and height, for example 0,0,320,360."}
        ) from None
    if w < 8 or h < 8 or x < 0 or y < 0 or x + w > width or y + h > height:
        raise ValidationError(
            {field: f"The box must lie inside the picture, which is {width} × {height}, and be at least 8 × 8."}
        )
    return f"{x},{y},{w},{h}"


def _queue(analysis: VideoAnalysis) -> None:
    transaction.on_commit(lambda: video_analyse.enqueue(analysis.pk))


def analysis_start(video: SessionVideo) -> VideoAnalysis:
    """The first run, made by the system as soon as the video can be played: the whole picture split into
    halves, and the preset that suits the video's length."""
    preset = "short" if video.duration <= SHORT_SESSION_SECONDS else "standard"
    analysis = VideoAnalysis.objects.create(video=video, preset=preset)
    _queue(analysis)
    return analysis


def _check_request_limits(actor: Membership, video: SessionVideo) -> None:
    # Locking the video's row makes a second request for the same video wait for this one and then see it.
    SessionVideo.objects.select_for_update().filter(pk=video.pk).first()
    if video.analyses.filter(status__in=[AnalysisStatus.QUEUED, AnalysisStatus.RUNNING]).exists():
        raise ValidationError(
            "This video is already waiting to be measured, or being measured. Nothing new was queued: "
            "please wait for that to finish, then ask again if you still need to."
        )
    limit = settings.ANALYSIS_REQUESTS_PER_HOUR
    since = timezone.now() - timedelta(hours=1)
    recent = VideoAnalysis.objects.filter(requested_by__user_id=actor.user_id, created_at__gte=since)
    if recent.count() >= limit:
        oldest = recent.order_by("created_at").values_list("created_at", flat=True).first()
        again = timezone.localtime(oldest + timedelta(hours=1))
        raise ValidationError(
            f"You have asked for {limit} measurements in the last hour, the most one person may ask for, so "
            f"that everyone's videos get their turn. Nothing new was queued: please try again after {again:%H:%M}."
        )


@transaction.atomic
def analysis_request(
    *,
    actor: Membership,
    video: SessionVideo,
    preset: str,
    learner_region: str = "",
    partner_region: str = "",
    learner_voice: str = "higher",
) -> VideoAnalysis:
    """Measure the video again with other settings. Earlier runs are kept.

    So that no one keeps the worker from other people's videos, a video has at most one measurement waiting or
    under way, and a person may ask for at most settings.ANALYSIS_REQUESTS_PER_HOUR in an hour."""
    if not video_policy.allows(actor, "rate", video):
        raise PermissionDenied("Your role does not allow measuring this video.")
    if not video.is_ready:
        raise ValidationError("The video is still being prepared. Please try again when it plays.")
    _check_request_limits(actor, video)
    if preset not in PRESETS:
        raise ValidationError({"preset": "Please choose standard or short session."})
    if learner_voice not in LEARNER_VOICES:
        raise ValidationError({"learner_voice": "Please say whether the person's voice is the higher or the lower."})
    learner_box = parse_region(learner_region, video, "learner_region")
    partner_box = parse_region(partner_region, video, "partner_region")
    analysis = VideoAnalysis.objects.create(
        video=video,
        requested_by=actor,
        preset=preset,
        learner_region=learner_box,
        partner_region=partner_box,
        learner_voice=learner_voice,
    )
    audit_record(actor=actor, action="video_analysis.requested", learner=video.learner, target=analysis)
    _queue(analysis)
    return analysis


@transaction.atomic
def analysis_retry(*, actor: Membership, analysis: VideoAnalysis) -> VideoAnalysis:
    """Measure a run again, with its own settings, after it failed: it is queued once more, with its count of
    starts begun afresh. Whoever may measure the video again may do this."""
    video = analysis.video
    if not video_policy.allows(actor, "rate", video):
        raise PermissionDenied("Your role does not allow measuring this video.")
    if not video.is_ready:
        raise ValidationError("The video is still being prepared. Please try again when it plays.")
    if video.analyses.filter(status__in=[AnalysisStatus.QUEUED, AnalysisStatus.RUNNING]).exists():
        raise ValidationError("The video is already being measured. Please wait for that to finish.")
    again = VideoAnalysis.objects.filter(pk=analysis.pk, status=AnalysisStatus.FAILED).update(
        status=AnalysisStatus.QUEUED, progress=0.0, problem="", attempts=0, heartbeat_at=None, queued_at=timezone.now()
    )
    if not again:
        raise ValidationError("This measurement did not fail, so there is nothing to try again.")
    audit_record(actor=actor, action="video_analysis.retried", learner=video.learner, target=analysis)
    _queue(analysis)
    analysis.refresh_from_db()
    return analysis


@transaction.atomic
def speaker_correct(*, actor: Membership, analysis: VideoAnalysis, segment: int, speaker: str) -> VideoAnalysis:
    """Say who really made a sound: the engine's attribution is only a suggestion."""
    if not video_policy.allows(actor, "rate", analysis.video):
        raise PermissionDenied("Your role does not allow changing this analysis.")
    try:
        segments = result_of(analysis).vocal.segments
    except UnreadableResult as unreadable:
        raise ValidationError(str(unreadable)) from None
    if not 0 <= segment < len(segments):
        raise ValidationError({"segment": "That sound is not in this analysis."})
    if speaker not in SPEAKERS:
        raise ValidationError({"speaker": "Please choose the person supported or the partner."})
    corrections = dict(analysis.speaker_corrections)
    corrections[str(segment)] = speaker
    analysis.speaker_corrections = corrections
    analysis.save(update_fields=["speaker_corrections"])
    audit_record(
        actor=actor, action="video_analysis.speaker_corrected", learner=analysis.video.learner, target=analysis
    )
    return analysis


@transaction.atomic
def analysis_choose(*, actor: Membership, analysis: VideoAnalysis) -> VideoAnalysis:
    """Make this finished run the one that counts for its video: its figures are then the ones on the session
    page and in the person's progress trend. Every other run is kept and can still be opened. Only the reviewer
    (video_policy "choose_run": co-ordinators, managers, administrators) may choose."""
    video = analysis.video
    video_policy.require(actor, "choose_run", video)
    SessionVideo.objects.select_for_update().filter(pk=video.pk).first()  # one choice at a time per video
    analysis.refresh_from_db()
    if not analysis.is_done:
        raise ValidationError("Only a finished measurement can count. Please wait for this one to finish.")
    before = counting_run(video)
    if before is not None and before.pk == analysis.pk:
        raise ValidationError("This measurement already counts. Nothing was changed.")
    analysis.chosen_at = timezone.now()
    analysis.chosen_by = actor
    analysis.save(update_fields=["chosen_at", "chosen_by"])
    audit_record(
        actor=actor,
        action="video_analysis.chosen",
        learner=video.learner,
        target=analysis,
        detail={
            "video": video.pk,
            "counts_now": {"run": analysis.pk, "settings": settings_in_words(analysis, "the person")},
            "counted_before": (
                {"run": before.pk, "settings": settings_in_words(before, "the person")} if before else None
            ),
        },
    )
    return analysis


# --- Reading -------------------------------------------------------------------------------------------


def latest_analysis(video: SessionVideo) -> VideoAnalysis | None:
    return video.analyses.first()


FINISHED = Q(status=AnalysisStatus.DONE, results__isnull=False)

# Which finished run counts for a video, as an ordering whose first row is the one: the run chosen most recently
# (the later pk first if two were chosen at the same moment), or, until anyone has chosen, the first run that
# finished (the earlier pk first). Measuring again never changes it by itself.
COUNTING_ORDER = (
    F("chosen_at").desc(nulls_last=True),
    Case(When(chosen_at__isnull=True, then=F("finished_at"))).asc(nulls_last=True),
    Case(When(chosen_at__isnull=False, then=F("pk") * -1), default=F("pk"), output_field=BigIntegerField()).asc(),
)


def counting_run(video: SessionVideo) -> VideoAnalysis | None:
    """The run whose figures count for the video (see COUNTING_ORDER)."""
    return video.analyses.filter(FINISHED).order_by(*COUNTING_ORDER).first()


def counting_runs(videos) -> dict[int, VideoAnalysis]:
    """The run that counts for each of the videos (a queryset of SessionVideo) that has one, by video id: one
    query, whatever the number of videos."""
    counting = VideoAnalysis.objects.filter(FINISHED, video=OuterRef("pk")).order_by(*COUNTING_ORDER).values("pk")[:1]
    ids = videos.order_by().annotate(counting_id=Subquery(counting)).values("counting_id")
    return {run.video_id: run for run in VideoAnalysis.objects.filter(pk__in=ids)}


def runs_of(video: SessionVideo) -> list[VideoAnalysis]:
    """Every run of the video, oldest first, each with its ``number`` (1 for the first) and ``counts`` (True for
    the counting run only)."""
    counting = counting_run(video)
    runs = list(video.analyses.select_related("requested_by__user", "chosen_by__user").order_by("created_at", "pk"))
    for number, run in enumerate(runs, start=1):
        run.number = number
        run.counts = counting is not None and run.pk == counting.pk
    return runs


def settings_in_words(analysis: VideoAnalysis, name: str) -> str:
    """How a run was set up, in a few plain words: "boxes drawn by hand, short-session settings"."""
    parts = []
    if analysis.learner_region or analysis.partner_region:
        parts.append("boxes drawn by hand")
    else:
        parts.append(f"left half for {name}, right half for the partner")
    parts.append("short-session settings" if analysis.preset == "short" else "standard settings")
    if analysis.learner_voice == "lower":
        parts.append(f"{name}'s voice taken as the lower")
    return ", ".join(parts)


def who_started(analysis: VideoAnalysis) -> str:
    if analysis.requested_by_id is None:
        return "measured by itself when the video was ready"
    member = analysis.requested_by
    return f"asked for by {member.user}"


@dataclass
class TrendRow:
    day: date
    video: SessionVideo
    analysis: VideoAnalysis
    synchrony_z: float | None
    beyond_chance: bool
    leader: str
    learner_voice_share: float | None
    exchanges_per_minute: float | None


def interaction_trend(*, actor: Membership, learner: Learner) -> list[TrendRow]:
    """The person's videos, oldest first, each with the figures of the run that counts for it (never a trial
    that no one chose). A run whose figures this version cannot read is left out."""
    rows = []
    videos = videos_visible_to(actor).filter(session__learner=learner).order_by("session__started_at", "pk")
    runs = counting_runs(videos)
    for video in videos:
        analysis = runs.get(video.pk)
        figures = headline(analysis) if analysis is not None else None
        if figures is None:
            continue
        rows.append(
            TrendRow(
                day=video.session.started_at.date(),
                video=video,
                analysis=analysis,
                synchrony_z=figures.synchrony_z,
                beyond_chance=figures.beyond_chance,
                leader=figures.leader,
                learner_voice_share=figures.learner_voice_share,
                exchanges_per_minute=figures.exchanges_per_minute,
            )
        )
    return rows


def result_of(analysis: VideoAnalysis) -> AnalysisResult:
    """The run's stored figures as the engine's typed result (read once per loaded run); UnreadableResult
    when they were stored in a shape this version cannot read."""
    cached = getattr(analysis, "_typed_result", None)
    if cached is not None and cached[0] is analysis.results:
        return cached[1]
    typed = AnalysisResult.from_json(analysis.results)
    analysis._typed_result = (analysis.results, typed)
    return typed


def headline(analysis: VideoAnalysis) -> Headline | None:
    """The few figures a reviewer reads first, with the reviewer's corrections of who spoke applied; None
    when the run's figures cannot be read by this version."""
    try:
        return result_of(analysis).headline(analysis.speaker_corrections)
    except UnreadableResult:
        return None


def corrected_segments(analysis: VideoAnalysis) -> tuple[Sound, ...]:
    try:
        return result_of(analysis).corrected_segments(analysis.speaker_corrections)
    except UnreadableResult:
        return ()


def moments_in_words(analysis: VideoAnalysis, name: str) -> list[dict]:
    """The engine's suggested moments, said with the person's name rather than "the learner"."""
    try:
        moments = result_of(analysis).moments
    except UnreadableResult:
        return []
    return [
        {
            "start_s": moment.start_s,
            "end_s": moment.end_s,
            "words": (moment.detail or moment.why).replace("the learner", name).replace("The learner", name),
        }
        for moment in moments
    ]


def analysis_figures(analysis: VideoAnalysis, name: str) -> dict:
    """What the video's page shows of a finished run: the typed ``result``, its headline ``figures``, the
    ``segments`` as corrected, the time-course ``chart`` and the ``moments`` in words; or, for figures stored in
    a shape this version cannot read, only ``unreadable``, a sentence asking for a new measurement."""
    try:
        result = result_of(analysis)
    except UnreadableResult as unreadable:
        return {"unreadable": str(unreadable)}
    segments = result.corrected_segments(analysis.speaker_corrections)
    return {
        "result": result,
        "figures": result.headline(analysis.speaker_corrections),
        "segments": segments,
        "chart": time_course(result, segments),
        "moments": moments_in_words(analysis, name),
    }

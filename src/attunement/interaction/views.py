"""The interaction analysis on a video's page: run it again with other settings, choose which run counts, and
correct who made a sound. The figures themselves are drawn on the video's page (interaction.player)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from attunement.organisations.forms_util import service_messages
from attunement.organisations.service_calls import errors_as_message
from attunement.reflection.video_views import player_redirect, video_page

from . import analyses, selectors
from .models import VideoAnalysis


@video_page
@require_POST
def video_analysis_request(request, video):
    with errors_as_message(request, "Not started: "):
        analyses.analysis_request(
            actor=request.membership,
            video=video,
            preset=request.POST.get("preset", ""),
            learner_region=request.POST.get("learner_region", ""),
            partner_region=request.POST.get("partner_region", ""),
            learner_voice=request.POST.get("learner_voice", "higher"),
        )
        messages.success(
            request,
            "The video is being measured again. Earlier results are kept, and the figures that count stay the "
            "same until a co-ordinator or manager chooses this run.",
        )
    return player_redirect(video, "analysis")


def _analysis_of(video, analysis_id) -> VideoAnalysis:
    analysis = selectors.analysis_get(video=video, analysis_id=analysis_id)
    if analysis is None:
        raise Http404("No such analysis of this video.")
    return analysis


@video_page
@require_POST
def video_analysis_retry(request, video, analysis_id):
    """Queue a measurement that failed once more, with its own settings ("Try again")."""
    analysis = _analysis_of(video, analysis_id)
    with errors_as_message(request, "Not started again: "):
        analyses.analysis_retry(actor=request.membership, analysis=analysis)
        messages.success(request, "Trying again: the video is being measured.")
    return player_redirect(video, "analysis")


@video_page
@require_POST
def video_analysis_speaker(request, video, analysis_id):
    analysis = _analysis_of(video, analysis_id)
    try:
        segment = int(request.POST.get("segment", ""))
    except ValueError:
        segment = -1
    with errors_as_message(request, "Not changed: "):
        analyses.speaker_correct(
            actor=request.membership, analysis=analysis, segment=segment, speaker=request.POST.get("speaker", "")
        )
        messages.success(request, "Thank you: the counts of exchanges now use your correction.")
    return _back_to_run(video, analysis)


def _back_to_run(video, analysis):
    """Back to the video's figures: the run's own, when it is not the one that counts."""
    counting = analyses.counting_run(video)
    if counting is not None and counting.pk == analysis.pk:
        return player_redirect(video, "analysis")
    return redirect(f"{reverse('reflection:video', args=[video.pk])}?run={analysis.pk}#analysis")


@video_page
@require_POST
def video_analysis_choose(request, video, analysis_id):
    """Make one finished run the one that counts for the video ("Use this run"). The reviewer's choice."""
    analysis = _analysis_of(video, analysis_id)
    try:
        analyses.analysis_choose(actor=request.membership, analysis=analysis)
    except ValidationError as error:
        messages.error(request, "Not changed: " + " ".join(service_messages(error)))
        return _back_to_run(video, analysis)
    messages.success(
        request,
        "This run now counts: its figures are shown on the session page and in the progress trend. "
        "The other runs are kept.",
    )
    return player_redirect(video, "analysis")

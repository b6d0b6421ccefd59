"""The reflection player: one video with its notes and comments, ratings, sharing and clips (attunement.reflection),
the member's own coding of it (attunement.codings) and its measurements (this app). It lives here, above the
apps whose parts it shows, so none of them needs to know about the others; its status, polled while the video
is being prepared and measured, likewise.
"""

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse

from attunement.codings import selectors as coding_selectors
from attunement.codings.views import event_json
from attunement.learners.policies import learner_policy
from attunement.privacy.models import Purpose
from attunement.privacy.selectors import consent_allows
from attunement.reflection import video_selectors
from attunement.reflection.policies import video_policy
from attunement.reflection.ratings import DEFAULT_INTERVAL
from attunement.reflection.video_views import video_page

from . import analyses


def _interval(request) -> float:
    try:
        value = float(request.GET.get("interval", DEFAULT_INTERVAL))
    except ValueError:
        return DEFAULT_INTERVAL
    return value if 5 <= value <= 600 else DEFAULT_INTERVAL


@video_page(methods=("GET",))
def video_player(request, video):
    actor = request.membership
    may_manage = video_policy.allows(actor, "manage", video)
    may_code = video_policy.may_code(actor, video)
    scales = list(video_selectors.rating_scales(actor))
    interval = _interval(request)
    return render(
        request,
        "reflection/video.html",
        {
            "video": video,
            "learner": video.learner,
            "session": video.session,
            "may_manage": may_manage,
            "may_code": may_code,
            "may_see_session": learner_policy.allows(actor, "view_records", video.learner),
            "player_setup": {
                "coder": actor.pk,
                "statusUrl": reverse("reflection:video_status", args=[video.pk]),
                "eventsUrl": reverse("reflection:video_events", args=[video.pk]) if may_code else "",
                "ratingsUrl": reverse("reflection:video_rate", args=[video.pk]),
                "codes": coding_selectors.coding_keys(actor) if may_code else [],
                "events": [event_json(video, e) for e in coding_selectors.my_events(actor, video)] if may_code else [],
                "duration": video.duration,
                "frameRate": video.frame_rate,
                "ready": video.is_ready,
                "analysing": (_analysis_status(video) or {}).get("status") in ("queued", "running"),
            },
            "comments": video_selectors.comment_threads(video),
            "coding_pass": coding_selectors.my_coding_pass(actor, video) if may_code else None,
            "scales": scales,
            "interval": interval,
            "sheets": video_selectors.rating_sheets(actor, video, scales, interval),
            "shares": video.shares.select_related("member__user") if may_manage else [],
            "share_candidates": video_selectors.share_candidates(actor, video) if may_manage else [],
            "clips": video.clips.all(),
            "training_consent": consent_allows(video.learner, Purpose.TRAINING),
            **_analysis_context(video, actor, request.GET.get("run", "")),
        },
    )


def _analysis_context(video, actor, opened_id: str = "") -> dict:
    """The runs of the interaction analysis, and the figures shown: those of the run that counts, or of the
    run opened from the list (``?run=<id>``), said clearly to be a trial when it does not count."""
    latest = analyses.latest_analysis(video)
    runs = analyses.runs_of(video)
    name = video.learner.display_name
    for run in runs:
        run.settings_words = analyses.settings_in_words(run, name)
        run.started_words = analyses.who_started(run)
    counting = next((run for run in runs if run.counts), None)
    opened = next((run for run in runs if opened_id.isdigit() and run.pk == int(opened_id)), None)
    shown = opened if opened is not None and opened.is_done else counting
    context = {
        "analysis": latest,
        "analysis_done": shown,
        "counting_run": counting,
        "opened_run": opened,
        "runs": runs,
        "may_choose_run": video_policy.allows(actor, "choose_run", video),
        "analysis_presets": analyses.PRESETS,
        "proxy_size": analyses.proxy_size(video),
    }
    if shown is not None:
        context.update(analyses.analysis_figures(shown, name))
    return context


@video_page(reads="video_status", methods=("GET",))
def video_status(request, video):
    """What the player polls while the proxy is being made."""
    return JsonResponse(
        {
            "status": video.status,
            "label": video.get_status_display(),
            "progress": round(video.progress, 3),
            "problem": video.problem,
            "ready": video.is_ready,
            "proxy": reverse("reflection:video_proxy", args=[video.pk]) if video.is_ready else "",
            "poster": reverse("reflection:video_poster", args=[video.pk]) if video.poster else "",
            "analysis": _analysis_status(video),
        },
        headers={"Cache-Control": "no-store"},
    )


def _analysis_status(video) -> dict | None:
    latest = analyses.latest_analysis(video)
    if latest is None:
        return None
    return {
        "status": latest.status,
        "label": latest.get_status_display(),
        "progress": round(latest.progress, 3),
        "problem": latest.problem,
    }

"""The video pages: adding a video to a session, the video's files, ratings, notes and comments, sharing and
clips, the member's video lists and the clip library (the player page itself, which also shows codings and
measurements, is interaction.player). Thin: each fetches through a scoped selector, calls
a service, and answers with a page, a redirect or (for the player's own calls) JSON.
"""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST, require_safe

from attunement.file_serving import ranged_file_response
from attunement.learners.access import allowed_methods, answer_and_record, learner_page
from attunement.learners.policies import learner_policy
from attunement.organisations.access import member_required
from attunement.organisations.audit import audit_read
from attunement.organisations.forms_util import service_messages
from attunement.organisations.service_calls import errors_as_message
from attunement.practice.models import Session
from attunement.privacy.models import Purpose
from attunement.privacy.selectors import consent_allows

from . import video_selectors as selectors
from . import video_services as services
from .forms import VideoUploadForm
from .models import Clip, SessionVideo, VideoComment
from .policies import video_policy
from .ratings import DEFAULT_INTERVAL
from .uploads import size_limited_upload, too_big_message


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _optional_date(text: str):
    text = (text or "").strip()
    if not text:
        return None
    try:
        day = parse_date(text)
    except ValueError:
        day = None
    if day is None:
        raise ValidationError({"due_on": "Please give the date it is due as a date, for example 2026-12-01."})
    return day


def video_page(view=None, *, reads: str = "video", methods=None):
    """Decorate a view of one video: it must be one the member may watch now (404 otherwise, which also
    covers a video hidden because consent was withdrawn). The view receives the video.

    As with `learner_page`: when `methods` is given the page answers only those (405 otherwise), and every
    answer that shows something is recorded as `<reads>.read` against the video's person, whatever the
    method. Each part of a video file a player asks for is one entry: every answer carrying the person's
    image is recorded."""
    allowed = allowed_methods(methods) if methods else None

    def decorate(view):
        @member_required
        @wraps(view)
        def wrapper(request, video_id, *args, **kwargs):
            try:
                video = selectors.video_get(actor=request.membership, video_id=video_id)
            except SessionVideo.DoesNotExist:
                raise Http404("No such video, or it is not shared with you.") from None
            return answer_and_record(
                request,
                allowed,
                lambda: view(request, video, *args, **kwargs),
                record=(
                    lambda: audit_read(
                        actor=request.membership,
                        what=reads,
                        learner=video.learner,
                        target_type="video",
                        target_id=video.pk,
                    )
                )
                if reads
                else None,
            )

        wrapper.video_reads = reads
        return wrapper

    return decorate(view) if view is not None else decorate


def session_or_404(request, learner, session_id) -> Session:
    try:
        return selectors.session_get(actor=request.membership, learner=learner, session_id=session_id)
    except Session.DoesNotExist:
        raise Http404("No such session.") from None


def player_redirect(video: SessionVideo, anchor: str = ""):
    return redirect(reverse("reflection:video", args=[video.pk]) + (f"#{anchor}" if anchor else ""))


# --- Adding a video --------------------------------------------------------------------------------------


@learner_page("record_session", reads="video_add", methods=("GET", "POST"))
@csrf_protect
def _video_add(request, learner, session_id, limit=None):
    session = session_or_404(request, learner, session_id)
    consented = consent_allows(learner, Purpose.VIDEO)
    context = {
        "learner": learner,
        "session": session,
        "consented": consented,
        "form": VideoUploadForm(),
        "videos": selectors.videos_of_session(actor=request.membership, session=session),
        "errors": [],
    }
    if request.method != "POST":
        return render(request, "reflection/video_add.html", context)
    upload = request.FILES.get("file")
    errors = []
    if limit is not None and limit.too_big:
        errors = [too_big_message()]
    elif upload is None:
        errors = ["Please choose a video to upload."]
    else:
        try:
            video = services.video_upload(
                actor=request.membership,
                session=session,
                path=upload.temporary_file_path(),
                size=upload.size,
                original_name=upload.name,
            )
        except ValidationError as error:
            errors = service_messages(error)
        else:
            url = reverse("reflection:video", args=[video.pk])
            if _wants_json(request):
                return JsonResponse({"url": url})
            messages.success(request, "Video uploaded. It is being prepared for playing.")
            return redirect(url)
    if _wants_json(request):
        return JsonResponse({"errors": errors}, status=400)
    return render(request, "reflection/video_add.html", {**context, "errors": errors}, status=400)


@csrf_exempt  # the token is checked by _video_add, after the size-limited upload handler is in place
@size_limited_upload
def video_add(request, learner_id, session_id, limit=None):
    return _video_add(request, learner_id, session_id, limit=limit)


video_add.learner_action = _video_add.learner_action
video_add.learner_reads = _video_add.learner_reads
video_add.allowed_methods = _video_add.allowed_methods


# --- The video's files --------------------------------------------------------------------------------


def _file_or_404(field):
    if not field or not field.name or not field.storage.exists(field.name):
        raise Http404("That file is not ready.")
    return field.path


@video_page(reads="video_file", methods=("GET",))
def video_proxy(request, video):
    return ranged_file_response(request, _file_or_404(video.proxy), "video/mp4")


@video_page(reads="video_poster", methods=("GET",))
def video_poster(request, video):
    return ranged_file_response(request, _file_or_404(video.poster), "image/jpeg")


@video_page(reads="", methods=("GET",))  # the download is recorded by its service
def video_original(request, video):
    video_policy.require_manage(request.membership, video, "download the original")
    path = _file_or_404(video.original)
    services.audit_original_download(actor=request.membership, video=video)
    suffix = video.original.name.rsplit(".", 1)[-1]
    return ranged_file_response(request, path, "application/octet-stream", download_name=f"video-{video.pk}.{suffix}")


# --- Ratings ---------------------------------------------------------------------------------------------


@video_page
@require_POST
def video_rate(request, video):
    """Rate one interval (scheme, scale, item, start, interval, value; an empty value clears it)."""
    actor = request.membership
    data = request.POST
    scale = None
    if data.get("scale"):
        scale = selectors.rating_scale_get(actor=actor, scale_id=data.get("scale"))
    try:
        value = int(data["value"]) if data.get("value") else None
        start, interval = float(data.get("start", "")), float(data.get("interval", DEFAULT_INTERVAL))
    except ValueError:
        return JsonResponse({"errors": ["Please choose a point on the scale."]}, status=400)
    rating = services.RatingInput(
        scheme=data.get("scheme", ""), item=data.get("item", ""), start=start, value=value, scale=scale
    )
    try:
        services.rating_set(actor=actor, video=video, interval=interval, rating=rating)
    except ValidationError as error:
        if _wants_json(request):
            return JsonResponse({"errors": service_messages(error)}, status=400)
        messages.error(request, "The rating was not saved: " + " ".join(service_messages(error)))
        return player_redirect(video, "ratings")
    if _wants_json(request):
        return JsonResponse({"saved": True, "value": value})
    return redirect(reverse("reflection:video", args=[video.pk]) + f"?interval={interval:g}#ratings")


# --- Notes, comments and agreed actions ------------------------------------------------------------------


def _comment_or_404(video, comment_id) -> VideoComment:
    try:
        return selectors.comment_get(video=video, comment_id=comment_id)
    except VideoComment.DoesNotExist:
        raise Http404("No such comment.") from None


@video_page
@require_POST
def video_comment_add(request, video):
    reply_to = None
    if request.POST.get("reply_to"):
        reply_to = _comment_or_404(video, request.POST["reply_to"])
    try:
        comment = services.comment_add(
            actor=request.membership,
            video=video,
            time=request.POST.get("time"),
            text=request.POST.get("text", ""),
            reply_to=reply_to,
        )
    except ValidationError as error:
        messages.error(request, "The comment was not saved: " + " ".join(service_messages(error)))
        return player_redirect(video, "comments")
    messages.success(request, "Reply added." if reply_to else "Note added.")
    return player_redirect(video, f"comment-{comment.pk}")


@video_page
@require_POST
def video_comment_delete(request, video, comment_id):
    comment = _comment_or_404(video, comment_id)
    services.comment_delete(actor=request.membership, comment=comment)
    messages.success(request, "Comment deleted.")
    return player_redirect(video, "comments")


@video_page
@require_POST
def video_comment_action(request, video, comment_id):
    comment = _comment_or_404(video, comment_id)
    with errors_as_message(request, "The action was not saved: "):
        due_on = _optional_date(request.POST.get("due_on", ""))
        services.comment_agree_action(
            actor=request.membership,
            comment=comment,
            text=request.POST.get("text", ""),
            owner=request.POST.get("owner", ""),
            due_on=due_on,
        )
        messages.success(request, "Action agreed. It is in the supervision records, as a video reflection meeting.")
    return player_redirect(video, f"comment-{comment.pk}")


# --- Sharing, clips and deleting -------------------------------------------------------------------------


@video_page
@require_POST
def video_share(request, video):
    actor = request.membership
    with errors_as_message(request, "Not shared: "):
        if "team" in request.POST:
            shared = request.POST["team"] == "on"
            services.video_set_team_sharing(actor=actor, video=video, shared=shared)
            messages.success(request, "Shared with the whole team." if shared else "No longer shared with the team.")
        else:
            member = selectors.share_member(actor=actor, member_id=request.POST.get("member"))
            share = services.video_share(actor=actor, video=video, member=member)
            messages.success(request, f"Shared with {share.member.user.get_full_name() or share.member.user.email}.")
    return player_redirect(video, "sharing")


@video_page
@require_POST
def video_unshare(request, video, share_id):
    share = selectors.share_get(video=video, share_id=share_id)
    if share is None:
        raise Http404("No such share.")
    services.video_unshare(actor=request.membership, share=share)
    messages.success(request, "No longer shared with that person.")
    return player_redirect(video, "sharing")


@video_page
@require_POST
def video_clip_add(request, video):
    with errors_as_message(request, "The clip was not kept: "):
        services.clip_add(
            actor=request.membership,
            video=video,
            start=request.POST.get("start"),
            end=request.POST.get("end"),
            title=request.POST.get("title", ""),
            teaching_point=request.POST.get("teaching_point", ""),
        )
        messages.success(request, "Clip added to the library of good practice. It is being cut from the video.")
    return player_redirect(video, "clips")


@video_page
@require_POST
def video_clip_remove(request, video, clip_id):
    clip = video.clips.filter(pk=clip_id).first()
    if clip is None:
        raise Http404("No such clip.")
    with errors_as_message(request, "The clip was not removed: "):
        services.clip_remove(actor=request.membership, clip=clip)
        messages.success(request, "Clip removed from the library.")
    return player_redirect(video, "clips")


@video_page
@require_POST
def video_delete(request, video):
    learner, session = video.learner, video.session
    try:
        services.video_delete(actor=request.membership, video=video)
    except ValidationError as error:
        messages.error(request, "The video was not deleted: " + " ".join(service_messages(error)))
        return player_redirect(video)
    messages.success(request, "The video, its notes, ratings and clips are deleted. Codings made from it are kept.")
    if learner_policy.allows(request.membership, "view_records", learner):
        return redirect("practice:session", learner_id=learner.pk, session_id=session.pk)
    return redirect("reflection:videos")


@video_page
@require_POST
def video_retry(request, video):
    """Queue the preparation of a video that failed once more ("Try again")."""
    with errors_as_message(request, "Not started again: "):
        services.video_retry(actor=request.membership, video=video)
        messages.success(request, "Trying again: the video is being prepared for playing.")
    return player_redirect(video)


# --- Lists -----------------------------------------------------------------------------------------------


@member_required
@require_safe
def videos(request):
    video_policy.require(request.membership, "view")
    return render(request, "reflection/videos.html", {"lists": selectors.video_lists(request.membership)})


@member_required
@require_safe
def library(request):
    video_policy.require(request.membership, "view")
    return render(request, "reflection/library.html", {"clips": selectors.library_clips(request.membership)})


def _clip_or_404(request, clip_id) -> Clip:
    try:
        return selectors.clip_get(actor=request.membership, clip_id=clip_id)
    except Clip.DoesNotExist:
        raise Http404("No such clip in the library.") from None


def _clip_read(what: str):
    """A page or file of one clip in the library: GET and HEAD only; every answer showing it is recorded."""

    def decorate(view):
        @member_required
        @require_safe
        @wraps(view)
        def wrapper(request, clip_id):
            clip = _clip_or_404(request, clip_id)
            return answer_and_record(
                request,
                None,  # require_safe has refused other methods
                lambda: view(request, clip),
                record=lambda: audit_read(
                    actor=request.membership,
                    what=what,
                    learner=clip.video.learner,
                    target_type="clip",
                    target_id=clip.pk,
                ),
            )

        return wrapper

    return decorate


@_clip_read("clip")
def library_clip(request, clip):
    return render(request, "reflection/clip.html", {"clip": clip})


@_clip_read("clip_file")
def library_clip_file(request, clip):
    return ranged_file_response(request, _file_or_404(clip.file), "video/mp4")

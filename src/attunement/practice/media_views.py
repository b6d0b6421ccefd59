"""The pages for a session's photos, voice notes and clips: adding them from the session's page, deleting one taken
by mistake, and their files, served only to those who may see them now (practice.session_media.media_visible_to),
each answer recorded."""

import os
from functools import wraps

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect

from attunement.file_serving import ranged_file_response
from attunement.learners.access import allowed_methods, answer_and_record, learner_page
from attunement.learners.policies import learner_policy
from attunement.organisations.access import member_required
from attunement.organisations.audit import audit_read

from . import selectors
from .models import ClipCopy, MediaKind, Session, SessionMedia
from .session_media import (
    CHECKS,
    MAY_NOT_DELETE,
    may_delete_media,
    media_already_deleted,
    media_on_page,
    media_refusal,
    media_visible_to,
    session_media_delete,
    session_media_keep,
)

FIELDS = {"photo": MediaKind.PHOTO, "voice_note": MediaKind.AUDIO, "clip": MediaKind.CLIP}
KIND_WORDS = {MediaKind.PHOTO: "Photo", MediaKind.AUDIO: "Voice note", MediaKind.CLIP: "Clip"}


class SessionMediaForm(forms.Form):
    """The optional photo, voice note and clip sent with a session (the quick log, or the session's own page).
    Each file given is checked; `checked` holds those that passed, ready to keep once the session is saved."""

    photo = forms.FileField(required=False, label="Photo")
    voice_note = forms.FileField(required=False, label="Voice note")
    clip = forms.FileField(required=False, label="Short clip")

    def clean(self):
        self.checked = []
        for field, kind in FIELDS.items():
            upload = self.cleaned_data.get(field)
            if not upload:
                continue
            try:
                self.checked.append(CHECKS[kind](upload))
            except ValidationError as problem:
                self.add_error(field, problem)
        return self.cleaned_data

    def has_files(self) -> bool:
        return any(self.files.get(field) for field in FIELDS)


def keep_checked(actor, session: Session, media_form: SessionMediaForm) -> list[SessionMedia]:
    """Keep the files the form checked (none when nothing was chosen)."""
    checked = getattr(media_form, "checked", []) if media_form.is_bound else []
    return [session_media_keep(actor=actor, session=session, checked=item) for item in checked]


@learner_page("record_session", reads="session_media", methods=("POST",))
def session_media_add(request, learner, session_id):
    """Add a photo, a voice note or a clip to a saved session; back to the session's page with what happened."""
    actor = request.membership
    try:
        session = selectors.session_on_page(actor=actor, learner=learner, session_id=session_id)
    except Session.DoesNotExist:
        raise Http404("No such session.") from None
    back = redirect("practice:session", learner_id=learner.pk, session_id=session.pk)
    refusal = media_refusal(actor, learner)
    if refusal is not None:
        messages.error(request, f"Nothing was added. {refusal}")
        return back
    if session.is_withdrawn:
        messages.error(request, "Nothing was added. This session was withdrawn.")
        return back
    form = SessionMediaForm(request.POST, request.FILES)
    if not form.has_files():
        messages.error(request, "Nothing was added. Please take a photo, record a voice note or choose a clip first.")
        return back
    if not form.is_valid():
        problems = " ".join(str(error) for errors in form.errors.values() for error in errors)
        messages.error(request, f"Nothing was added. {problems}")
        return back
    try:
        kept = keep_checked(actor, session, form)
    except ValidationError as problem:
        messages.error(request, f"Nothing was added. {' '.join(problem.messages)}")
        return back
    messages.success(request, " ".join(f"{KIND_WORDS[item.kind]} added." for item in kept))
    return back


def deleting_media(view):
    """Put outside `learner_page`: a member who may record sessions for the person but may not delete this photo,
    voice note or clip (session_media.may_delete_media) is refused with 403 before the method is looked at, as every
    refusal is. Everything else (who sees the person, the methods) is `learner_page`'s."""

    @wraps(view)
    def wrapper(request, learner_id, session_id, media_id):
        actor = getattr(request, "membership", None)
        if actor is not None and (item := media_on_page(learner_id, session_id, media_id)) is not None:
            if learner_policy.allows(actor, view.learner_action, item.session.learner):
                if not may_delete_media(actor, item):
                    raise PermissionDenied(MAY_NOT_DELETE)
        return view(request, learner_id=learner_id, session_id=session_id, media_id=media_id)

    def record_allows(member, kwargs) -> bool:
        """The same rule, for the URL walk in the tests."""
        item = media_on_page(kwargs["learner_id"], kwargs["session_id"], kwargs["media_id"])
        return item is not None and may_delete_media(member, item)

    wrapper.record_allows = record_allows
    return wrapper


@deleting_media
@learner_page("record_session", reads="session_media", methods=("POST",))
def session_media_delete_page(request, learner, session_id, media_id):
    """Delete a photo, a voice note or a clip (the button asks first); back to the session's page saying so."""
    back = redirect("practice:session", learner_id=learner.pk, session_id=session_id)
    item = media_on_page(learner.pk, session_id, media_id)
    if item is None:
        if media_already_deleted(learner=learner, media_id=media_id):  # the button pressed twice
            messages.info(request, "That was already deleted. Nothing more was changed.")
            return back
        raise Http404("No such photo or recording.")
    try:
        kind = session_media_delete(actor=request.membership, item=item)
    except ValidationError as problem:
        messages.error(request, f"Nothing was deleted. {' '.join(problem.messages)}")
        return back
    messages.success(request, f"{KIND_WORDS[kind]} deleted.")
    return back


def _served(request, item: SessionMedia):
    """The file for the page's photo, player or sound: a clip's copy for playing once it is made (the clip as
    filmed is kept, and given in the person's export), otherwise the file as sent."""
    field, content_type = item.file, item.content_type
    if item.copy_status == ClipCopy.READY and item.playable:
        field, content_type = item.playable, "video/mp4"
    try:
        path = field.path
    except (NotImplementedError, ValueError):
        raise Http404("That file could not be found.") from None
    if not os.path.exists(path):
        raise Http404("That file could not be found.")
    return ranged_file_response(request, path, content_type)  # a player asks for parts to seek


@member_required
def media_file(request, media_id):
    """One photo, voice note or clip, to those who may see it now (a withdrawn consent hides it at once)."""
    try:
        item = media_visible_to(request.membership).select_related("session__learner").get(pk=media_id)
    except SessionMedia.DoesNotExist:
        raise Http404("No such photo or recording, or it is not shown to you.") from None
    return answer_and_record(
        request,
        allowed_methods(("GET",)),
        lambda: _served(request, item),
        record=lambda: audit_read(
            actor=request.membership,
            what="session_media",
            learner=item.session.learner,
            target_type="session_media",
            target_id=item.pk,
        ),
    )

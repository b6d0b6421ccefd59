"""The family portal: a family member sees their own person in plain words and tells the team about home."""

import uuid

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from attunement.learners.access import learner_page
from attunement.learners.naming import shown_name
from attunement.learners.policies import learner_policy
from attunement.learners.selectors import learners_visible_to
from attunement.organisations.access import member_required
from attunement.organisations.service_calls import errors_onto, form_status
from attunement.privacy.selectors import consent_allows

from . import offline_queue, selectors, services
from .forms import FamilyFeedbackForm, HomeObservationForm
from .page_parts import home_parts


@member_required
@require_safe
def family_home(request):
    learner_policy.require(request.membership, "view_family_portal")
    people = list(learners_visible_to(request.membership).filter(is_active=True))
    if len(people) == 1:
        return redirect("practice:family_person", learner_id=people[0].pk)
    return render(
        request, "practice/family_home.html", {"people": people, "home_parts": home_parts(request.membership)}
    )


@learner_page("view_family_portal", reads="family_portal")
def family_person(request, learner):
    actor = request.membership
    shared = consent_allows(learner, "family")  # records reach family only with agreement to share them
    context = {
        "learner": learner,
        "shared": shared,
        "my_notes": selectors.home_observations_of(actor=actor, learner=learner, limit=10),
        "home_parts": home_parts(actor),
    }
    if shared:
        context |= {
            "profile": getattr(learner, "profile", None),
            "sessions": selectors.family_session_summaries(actor=actor, learner=learner),
            "progress": selectors.family_progress(actor=actor, learner=learner),
        }
    return render(request, "practice/family_person.html", context)


def _submission_key(request) -> uuid.UUID | None:
    """The key the form was drawn with, so a form sent twice (a double tap, a resend) is saved once."""
    try:
        return uuid.UUID(request.POST.get("submission_key", ""))
    except ValueError:
        return None


def _key_for_page(request) -> uuid.UUID:
    """The key to draw the form with: the posted one when the form comes back with a message, else a new one."""
    return _submission_key(request) or uuid.uuid4()


@offline_queue.answers_queue
@learner_page("add_home_observation", reads="home_note_form", methods=("GET", "POST"))
def family_note(request, learner):
    form = HomeObservationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_onto(form):
            note = services.home_observation_add(
                actor=request.membership, learner=learner, submission_key=_submission_key(request), **form.cleaned_data
            )
            if offline_queue.in_background(request):  # a note kept on the tablet: answered in JSON, no message
                return offline_queue.saved(
                    url=reverse("practice:family_person", args=[learner.pk]), already_saved=note.already_saved
                )
            if note.already_saved:
                messages.info(request, "This note was already sent — it has not been sent twice.")
            else:
                messages.success(request, f"Thank you. {shown_name(request, learner)}'s team can now read your note.")
            return redirect("practice:family_person", learner_id=learner.pk)
    if request.method == "POST" and offline_queue.in_background(request):
        return offline_queue.refused(form)
    return render(
        request,
        "practice/family_note.html",
        {"learner": learner, "form": form, "submission_key": _key_for_page(request)},
        status=form_status(form),
    )


def _feedback_page(request, learner, *, on_paper: bool, done_url: str):
    form = FamilyFeedbackForm(request.POST or None, on_paper=on_paper)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with errors_onto(form):
            feedback = services.family_feedback_record(
                actor=request.membership,
                submission_key=_submission_key(request),
                learner=learner,
                given_on=data["given_on"],
                scores=form.scores(),
                comment=data["comment"],
                may_quote=data["may_quote"],
                given_by_name=data.get("given_by_name", ""),
            )
            if feedback.already_saved:
                messages.info(request, "This feedback was already saved — it has not been saved twice.")
            else:
                messages.success(request, "Thank you: the feedback is saved.")
            return redirect(done_url)
    return render(
        request,
        "practice/family_feedback.html",
        {"learner": learner, "form": form, "on_paper": on_paper, "submission_key": _key_for_page(request)},
        status=form_status(form),
    )


@learner_page("give_family_feedback", reads="feedback_form", methods=("GET", "POST"))
def family_feedback(request, learner):
    from django.urls import reverse

    return _feedback_page(
        request, learner, on_paper=False, done_url=reverse("practice:family_person", kwargs={"learner_id": learner.pk})
    )


@learner_page("enter_family_feedback", reads="feedback_form", methods=("GET", "POST"))
def family_feedback_on_paper(request, learner):
    from django.urls import reverse

    return _feedback_page(
        request, learner, on_paper=True, done_url=reverse("learners:about", kwargs={"learner_id": learner.pk})
    )

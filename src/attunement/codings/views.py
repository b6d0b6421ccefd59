"""The coding pages: thin. Each fetches through the actor's scope, calls a service or selectors, renders.

Pages about one person's session go through `learner_page`: seeing codings is "view_records", importing
and deleting is "record_session". The ethogram is the organisation's: staff read it, leaders change it.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from attunement.coding.model import UnpairedStates
from attunement.edits import EditConflict
from attunement.learners.access import learner_page
from attunement.learners.policies import learner_policy
from attunement.organisations.access import member_required
from attunement.organisations.forms_util import add_service_errors, catalogue_add, service_messages
from attunement.reflection.models import SessionVideo
from attunement.reflection.policies import video_policy
from attunement.reflection.video_views import session_or_404, video_page

from . import selectors, services
from .forms import AgreementForm, CodeForm, EthogramImportForm, ImportForm, StatisticsForm
from .models import CodingEvent, CodingPass, EthogramCode
from .policies import coding_pass_policy, ethogram_policy


def _pass(request, session, pass_id) -> CodingPass:
    try:
        return selectors.coding_pass_get(actor=request.membership, session=session, pass_id=pass_id)
    except CodingPass.DoesNotExist:
        raise Http404("No such coding.") from None


def _may_record(request, learner) -> bool:
    return learner_policy.allows(request.membership, "record_session", learner)


@learner_page("view_records", reads="codings")
def coding_passes(request, learner, session_id):
    session = session_or_404(request, learner, session_id)
    passes = list(selectors.coding_passes_of(actor=request.membership, session=session))
    for coding_pass in passes:
        coding_pass.may_delete = coding_pass_policy.allows(request.membership, "delete", coding_pass)
    may_record = _may_record(request, learner)
    return render(
        request,
        "reflection/passes.html",
        {
            "learner": learner,
            "session": session,
            "passes": passes,
            "may_record": may_record,
            "import_form": ImportForm() if may_record else None,
            "agreement_form": AgreementForm(passes=passes) if len(passes) >= 2 else None,
        },
    )


@learner_page("record_session", reads="coding_import", methods=("GET", "POST"))
def coding_import(request, learner, session_id):
    session = session_or_404(request, learner, session_id)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            imported = services.coding_pass_import(
                actor=request.membership,
                session=session,
                data=upload.read(),
                filename=upload.name,
                title=form.cleaned_data["title"],
                observation=form.cleaned_data["observation"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            count = imported.coding_pass.events.count()
            messages.success(request, f"Coding imported: {count} event{'s' if count != 1 else ''}.")
            if imported.note:
                messages.info(request, imported.note)
            return redirect(
                "reflection:pass", learner_id=learner.pk, session_id=session.pk, pass_id=imported.coding_pass.pk
            )
    return render(
        request,
        "reflection/import.html",
        {"learner": learner, "session": session, "form": form},
        status=400 if form.errors else 200,
    )


@learner_page("view_records", reads="coding")
def coding_pass_detail(request, learner, session_id, pass_id):
    session = session_or_404(request, learner, session_id)
    coding_pass = _pass(request, session, pass_id)
    subjects = selectors.pass_subjects(coding_pass)
    learner_subject, partner_subject = selectors.turn_subjects(coding_pass, subjects)
    initial = {"learner": _subject_choice(learner_subject), "partner": _subject_choice(partner_subject)}
    form = StatisticsForm(
        request.GET or None,
        initial=initial,
        subjects=subjects,
        names={s: selectors.subject_name(s) for s in subjects},
    )
    gap = 3.0
    if form.is_bound and form.is_valid():
        if form.cleaned_data["gap"] is not None:
            gap = form.cleaned_data["gap"]
        if "learner" in request.GET or "partner" in request.GET:
            learner_subject, partner_subject = form.cleaned_data["learner"], form.cleaned_data["partner"]
    statistics = selectors.pass_statistics(coding_pass, max_gap=gap, learner=learner_subject, partner=partner_subject)
    return render(
        request,
        "reflection/pass.html",
        {
            "learner": learner,
            "session": session,
            "coding_pass": coding_pass,
            "statistics": statistics,
            "learner_name": _subject_label(statistics.learner_subject),
            "partner_name": _subject_label(statistics.partner_subject),
            "form": form,
            "may_delete": coding_pass_policy.allows(request.membership, "delete", coding_pass),
            **_people_choice(request, learner, coding_pass, statistics, subjects),
        },
        status=400 if form.errors else 200,
    )


@learner_page("record_session", reads="coding", methods=("POST",))
def coding_pass_people(request, learner, session_id, pass_id):
    """Remember who is the learner and who the partner in this coding (or forget it), then show it again."""
    session = session_or_404(request, learner, session_id)
    coding_pass = _pass(request, session, pass_id)
    subjects = selectors.pass_subjects(coding_pass)
    form = StatisticsForm(request.POST, subjects=subjects, names={s: selectors.subject_name(s) for s in subjects})
    back = redirect("reflection:pass", learner_id=learner.pk, session_id=session.pk, pass_id=coding_pass.pk)
    if request.POST.get("action") == "forget":
        services.coding_pass_map_subjects(actor=request.membership, coding_pass=coding_pass, learner=None, partner=None)
        messages.success(request, "This coding no longer says who is the learner and who the partner.")
        return back
    if not form.is_valid():
        messages.error(request, "Nothing was saved: " + " ".join(form.non_field_errors() or ["please choose again."]))
        return back
    try:
        services.coding_pass_map_subjects(
            actor=request.membership,
            coding_pass=coding_pass,
            learner=form.cleaned_data["learner"],
            partner=form.cleaned_data["partner"],
        )
    except ValidationError as error:
        messages.error(request, "Nothing was saved: " + " ".join(error.messages))
        return back
    messages.success(
        request,
        f"Saved: in this coding “{_subject_label(form.cleaned_data['learner'])}” is the learner and "
        f"“{_subject_label(form.cleaned_data['partner'])}” the partner. Turns are counted between them from now on.",
    )
    return back


def _people_choice(request, learner, coding_pass, statistics, subjects) -> dict:
    """Whether the page offers to remember who is who in this coding (or to forget it): to those who may record
    sessions, once two people are chosen that the coding does not already remember and are not simply the
    subjects called "learner" and "partner"."""
    if not statistics.turns_mapped or not _may_record(request, learner):
        return {"people_saved": False, "offer_people": False}
    chosen = (statistics.learner_subject, statistics.partner_subject)
    saved = chosen == coding_pass.saved_turn_subjects
    return {
        "people_saved": saved,
        "offer_people": not saved and chosen != selectors.default_turn_subjects(subjects),
    }


def _subject_choice(subject: str | None) -> str:
    return "" if subject is None else (subject or "-")


def _subject_label(subject: str | None) -> str:
    return "" if subject is None else selectors.subject_name(subject)


@learner_page("view_records", reads="coding_export")
def coding_pass_export(request, learner, session_id, pass_id):
    session = session_or_404(request, learner, session_id)
    coding_pass = _pass(request, session, pass_id)
    chosen = request.GET.get("as")
    error = ""
    unpaired = False
    if chosen:
        try:
            exported = services.coding_pass_export(
                actor=request.membership,
                coding_pass=coding_pass,
                format=chosen,
                leave_out_unpaired=request.GET.get("unpaired") == "leave-out",
            )
        except ValidationError as problem:
            error = " ".join(problem.messages)
            unpaired = getattr(problem, "code", None) == "unpaired"
        else:
            response = HttpResponse(exported.content, content_type=f"{exported.content_type}; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request,
        "reflection/export.html",
        {"learner": learner, "session": session, "coding_pass": coding_pass, "error": error, "unpaired": unpaired},
        status=400 if error else 200,
    )


@learner_page("record_session", reads="codings", methods=("POST",))
def coding_pass_delete(request, learner, session_id, pass_id):
    session = session_or_404(request, learner, session_id)
    coding_pass = _pass(request, session, pass_id)
    services.coding_pass_delete(actor=request.membership, coding_pass=coding_pass)
    messages.success(request, f"The coding “{coding_pass.title}” is deleted.")
    return redirect("reflection:passes", learner_id=learner.pk, session_id=session.pk)


@learner_page("view_records", reads="coding_agreement")
def coding_agreement(request, learner, session_id):
    session = session_or_404(request, learner, session_id)
    passes = list(selectors.coding_passes_of(actor=request.membership, session=session))
    subjects, codes = selectors.subjects_and_codes(passes)
    names = {s: selectors.subject_name(s) for s in subjects}
    form = AgreementForm(request.GET or None, passes=passes, subjects=subjects, codes=codes, names=names)
    result = first = second = None
    if form.is_bound and form.is_valid():
        chosen = {p.pk: p for p in passes}
        first, second = chosen[form.cleaned_data["first"]], chosen[form.cleaned_data["second"]]
        try:
            result = selectors.pass_agreement(
                first,
                second,
                unit=form.cleaned_data["unit"],
                definition=form.cleaned_data["definition"],
                tolerance=form.cleaned_data["tolerance"],
                subjects=form.cleaned_data["people"] or None,
                codes=form.cleaned_data["codes"] or None,
            )
        except UnpairedStates as problem:  # a compared state never stopped: refused, as BORIS does
            form.add_error(None, problem.message)
        except ValueError as problem:  # a unit too short for so long a coding
            form.add_error("unit", str(problem))
    return render(
        request,
        "reflection/agreement.html",
        {
            "learner": learner,
            "session": session,
            "passes": passes,
            "form": form,
            "result": result,
            "first": first,
            "second": second,
        },
        status=400 if form.errors else 200,
    )


# --- The ethogram ----------------------------------------------------------------------------------------


@member_required
@require_http_methods(["GET", "HEAD", "POST"])
def ethogram(request):
    actor = request.membership
    ethogram_policy.require(actor, "view")
    may_manage = ethogram_policy.role_may(actor, "manage")
    form = CodeForm(request.POST or None)
    saved = catalogue_add(
        request,
        form=form,
        policy=ethogram_policy,
        add=lambda **data: services.ethogram_code_add(actor=actor, **data),
        added_message=lambda added: f"“{added.name}” ({added.key}) added.",
        redirect_to="reflection:ethogram",
    )
    if saved:
        return saved
    return _ethogram_page(request, form, may_manage, status=400 if form.errors else 200)


def _ethogram_page(request, form, may_manage, *, status=200, conflict=None, kept=None, import_form=None):
    """`kept` is a change refused because someone else changed the code first: (code id, name, shortcut typed)."""
    codes = list(selectors.ethogram_codes(actor=request.membership))
    for code in codes:
        code.edit_token = services.ethogram_code_edit_token(code)
        code.typed = kept[1:] if kept and kept[0] == code.pk else None
    context = {"codes": codes, "form": form, "may_manage": may_manage, "conflict": conflict}
    if may_manage:
        context["import_form"] = import_form or EthogramImportForm()
    return render(request, "reflection/ethogram.html", context, status=status)


@member_required
@require_POST
def ethogram_import(request):
    actor = request.membership
    ethogram_policy.require(actor, "manage")
    form = EthogramImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            result = services.ethogram_import(
                actor=actor, data=form.cleaned_data["file"].read(), subject=form.cleaned_data["subject"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            count = len(result.added)
            messages.success(request, f"{count} behaviour{'s' if count != 1 else ''} added to the ethogram.")
            if result.not_added:
                messages.info(request, "Not added: " + " ".join(result.not_added))
            return redirect("reflection:ethogram")
    return _ethogram_page(request, CodeForm(), True, status=400, import_form=form)


@member_required
@require_POST
def ethogram_code_change(request, code_id):
    actor = request.membership
    ethogram_policy.require(actor, "manage")
    try:
        code = selectors.ethogram_code_get(actor=actor, code_id=code_id)
    except EthogramCode.DoesNotExist:
        raise Http404("No such code.") from None
    action = request.POST.get("action")
    try:
        if action == "change":
            services.ethogram_code_change(
                actor=actor,
                code=code,
                name=request.POST.get("name", ""),
                shortcut=request.POST.get("shortcut", ""),
                version=request.POST.get("version", ""),
            )
            messages.success(request, f"{code.key} is now “{code.name}”. Past codings keep the key.")
        elif action in ("retire", "restore"):
            services.ethogram_code_set_retired(actor=actor, code=code, retired=action == "retire")
            messages.success(
                request, f"“{code.name}” {'retired' if action == 'retire' else 'is back in use'}. Past codings keep it."
            )
        else:
            messages.error(request, "Nothing was changed: please use the buttons on the page.")
    except EditConflict as error:
        kept = (code.pk, request.POST.get("name", ""), request.POST.get("shortcut", ""))
        return _ethogram_page(request, CodeForm(), True, status=409, conflict=error.messages, kept=kept)
    except ValidationError as error:
        messages.error(request, "Nothing was changed: " + " ".join(error.messages))
    return redirect("reflection:ethogram")


# --- Coding in the player (JSON) -------------------------------------------------------------------------


def event_json(video: SessionVideo, event: CodingEvent) -> dict:
    return {
        "id": event.pk,
        "code": event.code,
        "subject": event.subject,
        "time": event.time,
        "end": event.end,
        "modifiers": event.modifiers,
        "remove": reverse("reflection:video_event_remove", args=[video.pk, event.pk]),
    }


@video_page(reads="video_events", methods=("GET", "POST"))
def video_events(request, video):
    """GET: the member's own events on this video. POST: code one more (code, time, end, modifiers)."""
    actor = request.membership
    if not video_policy.may_code(actor, video):
        raise PermissionDenied("Your role does not allow coding this person's sessions.")
    if request.method == "POST":
        try:
            event = services.event_code(
                actor=actor,
                video=video,
                code_key=request.POST.get("code", ""),
                time=request.POST.get("time"),
                end=request.POST.get("end") or None,
                modifiers=request.POST.get("modifiers", ""),
            )
        except ValidationError as error:
            return JsonResponse({"errors": service_messages(error)}, status=400)
        return JsonResponse({"event": event_json(video, event)}, status=201)
    return JsonResponse({"events": [event_json(video, e) for e in selectors.my_events(actor, video)]})


@video_page
@require_POST
def video_event_remove(request, video, event_id):
    try:
        event = selectors.my_events(request.membership, video).get(pk=event_id)
    except CodingEvent.DoesNotExist:
        raise Http404("No such event in your coding.") from None
    services.event_remove(actor=request.membership, event=event)
    return JsonResponse({"removed": event_id})

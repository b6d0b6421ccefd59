from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from attunement.edits import EditConflict, with_token
from attunement.learners.access import learner_page
from attunement.organisations.access import member_required
from attunement.organisations.forms_util import add_service_errors
from attunement.organisations.service_calls import errors_onto, form_status
from attunement.privacy.policies import retention_policy
from attunement.privacy.selectors import current_hold

from . import selectors, services
from .forms import EraseForm, RetentionSettingsForm
from .retention import settings_for


@learner_page("export", reads="export", methods=("GET", "POST"))
def export(request, learner):
    if request.method == "POST":
        exported = services.subject_access_export(actor=request.membership, learner=learner)
        response = FileResponse(exported.file, as_attachment=True, filename=exported.filename)
        response["Content-Type"] = "application/zip"
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "records/export.html", {"learner": learner})


@learner_page("erase", reads="erase_form", methods=("GET", "POST"))
def erase(request, learner):
    hold = current_hold(learner)
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_onto(form):
            services.learner_erase(actor=request.membership, learner=learner, **form.cleaned_data)
            messages.success(request, "Everything about that person has been erased.")
            return redirect("learners:list")
    return render(
        request,
        "records/erase.html",
        {"form": form, "learner": learner, "hold": hold},
        status=form_status(form),
    )


@member_required
@require_http_methods(["GET", "HEAD", "POST"])
def retention(request):
    actor = request.membership
    retention_policy.require(actor, "view")
    form = RetentionSettingsForm(request.POST or None, settings=settings_for(actor.organisation))
    status, saved_now = 200, None
    if request.method == "POST" and form.is_valid():
        try:
            services.retention_settings_update(actor=actor, **form.cleaned_data)
        except EditConflict as error:
            now = settings_for(actor.organisation)
            data = with_token(request.POST, services.retention_edit_token(now))
            form = RetentionSettingsForm(data, settings=now)
            form.is_valid()
            add_service_errors(form, error)
            status = 409
            saved_now = [(form.fields[name].label, getattr(now, name)) for name in services.RETENTION_FIELDS]
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The retention settings are saved.")
            return redirect("records:retention")
    return render(
        request,
        "records/retention.html",
        {
            "form": form,
            "report": selectors.retention_report(actor=actor),
            "runs": selectors.retention_runs(actor=actor),
            "saved_now": saved_now,
        },
        status=status if status != 200 else 400 if form.errors else 200,
    )

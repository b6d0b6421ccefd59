from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render

from attunement.learners.access import learner_page
from attunement.learners.policies import PRIVACY_ACTIONS, learner_policy
from attunement.organisations.forms_util import add_service_errors
from attunement.organisations.models import Role
from attunement.organisations.service_calls import errors_onto, form_status

from . import selectors, services
from .consent_rules import REVIEW_GRACE_DAYS
from .forms import ConsentForm, LegalHoldForm, WithdrawForm
from .models import Consent
from .selectors import consent_allows


def _may(request, learner) -> dict[str, bool]:
    return {action: learner_policy.allows(request.membership, action, learner) for action in PRIVACY_ACTIONS}


@learner_page("view_consents", reads="consents")
def consents(request, learner):
    return render(
        request,
        "privacy/consents.html",
        {
            "learner": learner,
            "purposes": selectors.consent_status(learner),
            "history": selectors.consent_history(actor=request.membership, learner=learner),
            "hold": selectors.current_hold(learner),
            "grace_days": REVIEW_GRACE_DAYS,
            "may": _may(request, learner),
        },
    )


@learner_page("record_consent", reads="consent_form", methods=("GET", "POST"))
def consent_create(request, learner):
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_onto(form):
            services.consent_record(actor=request.membership, learner=learner, **form.cleaned_data)
            messages.success(request, "The consent is recorded.")
            return redirect("privacy:consents", learner_id=learner.pk)
    return render(
        request,
        "privacy/consent_form.html",
        {"form": form, "learner": learner},
        status=form_status(form),
    )


@learner_page("withdraw_consent", reads="consent", methods=("GET", "POST"))
def consent_withdraw(request, learner, consent_id):
    try:
        consent = selectors.consent_get(actor=request.membership, learner=learner, consent_id=consent_id)
    except Consent.DoesNotExist:
        raise Http404("No such consent.") from None
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_onto(form):
            services.consent_withdraw(actor=request.membership, consent=consent, **form.cleaned_data)
            messages.success(
                request,
                f"Consent for {consent.get_purpose_display().lower()} is withdrawn. Anything it covered is hidden "
                "now and will be deleted.",
            )
            return redirect("privacy:consents", learner_id=learner.pk)
    return render(
        request,
        "privacy/consent_withdraw.html",
        {"form": form, "learner": learner, "consent": consent},
        status=form_status(form),
    )


@learner_page("manage_hold", reads="legal_holds", methods=("GET", "POST"))
def legal_hold(request, learner):
    hold = selectors.current_hold(learner)
    form = LegalHoldForm(request.POST or None) if hold is None else None
    errors = []
    if request.method == "POST":
        try:
            if hold is not None and request.POST.get("action") == "lift":
                services.legal_hold_lift(actor=request.membership, learner=learner)
                messages.success(request, "The legal hold is lifted. The usual retention rules apply again.")
                return redirect("privacy:consents", learner_id=learner.pk)
            if form is not None and form.is_valid():
                services.legal_hold_place(actor=request.membership, learner=learner, **form.cleaned_data)
                messages.success(request, "The legal hold is in place. Nothing about this person will be deleted.")
                return redirect("privacy:consents", learner_id=learner.pk)
            if form is None:
                errors.append("Nothing was changed: the hold is already in place.")
        except ValidationError as error:
            if form is not None:
                add_service_errors(form, error)
            else:
                errors.extend(error.messages)
    return render(
        request,
        "privacy/legal_hold.html",
        {
            "form": form,
            "learner": learner,
            "hold": hold,
            "errors": errors,
            "history": selectors.holds_of(actor=request.membership, learner=learner),
        },
        status=400 if errors or (form is not None and form.errors) else 200,
    )


@learner_page("view", reads="photo")
def learner_photo(request, learner):
    if not learner.photo:
        raise Http404("No photo")
    if request.membership.role == Role.FAMILY and not consent_allows(learner, "family"):
        raise PermissionDenied("There is no agreement to share this person's records with family.")
    response = FileResponse(learner.photo.open("rb"))
    response["Cache-Control"] = "private, no-store"
    return response

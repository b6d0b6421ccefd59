"""The page where leaders set the organisation's term dates."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from attunement.organisations.access import member_required
from attunement.organisations.service_calls import errors_as_message, errors_onto, form_status

from . import services
from .dashboard import organisation_term_start, term_start
from .policies import term_policy
from .selectors import terms_of


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TermStartForm(forms.Form):
    starts_on = forms.DateField(label="The term starts on", widget=DateInput)
    name = forms.CharField(max_length=60, required=False, label="Name", help_text="For example: Autumn 2026.")


@member_required
@require_http_methods(["GET", "HEAD", "POST"])
def terms(request):
    actor = request.membership
    term_policy.require(actor, "manage")
    form = TermStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_onto(form):
            term = services.term_start_add(actor=actor, **form.cleaned_data)
            messages.success(request, f"A term now starts on {term.starts_on:%-d %B %Y}.")
            return redirect("outcomes:terms")
    today = timezone.localdate()
    context = {
        "form": form,
        "terms": terms_of(actor=actor),
        "current": organisation_term_start(actor.organisation_id, today),
        "usual": term_start(today),
    }
    return render(request, "outcomes/terms.html", context, status=form_status(form))


@member_required
@require_POST
def term_remove(request, term_id: int):
    actor = request.membership
    term_policy.require(actor, "manage")
    term = next((term for term in terms_of(actor=actor) if term.pk == term_id), None)
    if term is None:
        raise Http404("Not found, or not yours to see.")
    with errors_as_message(request):
        services.term_start_remove(actor=actor, term=term)
        messages.success(request, f"The term starting on {term.starts_on:%-d %B %Y} is removed.")
    return redirect("outcomes:terms")

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from attunement.organisations.access import member_required

from .models import SecurityEvent
from .policies import security_log_policy
from .selectors import members_of, security_log


class SecurityLogFilterForm(forms.Form):
    kind = forms.ChoiceField(required=False, label="What happened")
    person = forms.ModelChoiceField(queryset=None, required=False, empty_label="Anyone", label="Person")

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Anything"), *SecurityEvent.Kind.choices]
        self.fields["person"].queryset = members_of(organisation)


@require_safe
@member_required
def security_log_page(request):
    actor = request.membership
    security_log_policy.require(actor, "view")
    form = SecurityLogFilterForm(request.GET or None, organisation=actor.organisation)
    filters = {}
    if form.is_valid():
        person = form.cleaned_data["person"]
        filters = {"kind": form.cleaned_data["kind"] or None, "user_id": person.pk if person else None}
    page = Paginator(security_log(actor=actor, **filters), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "accounts/security_log.html", {"form": form, "page": page, "query": query.urlencode()})
